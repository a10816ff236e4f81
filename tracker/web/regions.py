"""regions pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("regions", __name__, url_prefix="/wilayah")
