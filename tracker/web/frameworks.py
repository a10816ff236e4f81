"""frameworks pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("frameworks", __name__, url_prefix="/kerangka")
