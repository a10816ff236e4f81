"""Permission checks for views: refuse with 403, never just hide the link."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort
from flask_login import current_user, login_required

from tracker.services.common.permissions import has_permission

F = TypeVar("F", bound=Callable[..., Any])


def permission_required(permission: str) -> Callable[[F], F]:
    """Login required, then the role must hold `permission`, else 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not has_permission(current_user.role, permission):
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


def can(permission: str) -> bool:
    """For templates: may the current user do this?"""
    return bool(current_user.is_authenticated and has_permission(current_user.role, permission))
