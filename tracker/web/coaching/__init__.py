"""Coaching pages (/pembinaan): sessions, attendance, materials, the topic catalogue, the
training-needs analysis and the coaching effect, on one blueprint (`area.bp`)."""

from __future__ import annotations

from flask import Blueprint


def blueprint() -> Blueprint:
    """The area's blueprint with every view module's routes on it."""
    from tracker.web.coaching import (  # noqa: F401 - each module adds its routes to bp
        attendance,
        attendance_import,
        effect,
        materials,
        planning,
        sessions,
        topics,
    )
    from tracker.web.coaching.area import bp

    return bp
