"""The coaching area's one blueprint; the view modules add their routes to it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("coaching", __name__, url_prefix="/pembinaan")
