"""The page number and page size of a paginated list, read the same way on every list page."""

from __future__ import annotations

from flask import current_app, request


def page_arg() -> int:
    """`?page=`; a missing or unreadable number is page 1, and the services clamp the rest."""
    return request.args.get("page", 1, type=int)


def page_size() -> int:
    return int(current_app.config["PAGE_SIZE"])
