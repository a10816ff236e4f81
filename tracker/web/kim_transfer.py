"""kim_transfer pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("kim_transfer", __name__, url_prefix="/kim/transfer")
