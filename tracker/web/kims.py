"""kims pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("kims", __name__, url_prefix="/kim")
