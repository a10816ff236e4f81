"""Shared form pieces."""

from __future__ import annotations

from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):
    """A bare POST form: CSRF token only (logout, deactivate, confirm import…)."""
