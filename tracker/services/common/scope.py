"""Region scoping: which KIMs and regions a user may see.

A scope is a set of region codes; a region is inside it when its dotted code equals a scope code or
starts with it followed by a dot. Applied in the query itself (never only in the template), so a
guessed id outside the scope is simply not found.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, false, or_, true

from tracker.models.user import User


def code_in_scope(code: str, scope_codes: Iterable[str]) -> bool:
    return any(code == s or code.startswith(s + ".") for s in scope_codes)


def scope_filter(column: ColumnElement[str], scope_codes: Iterable[str]) -> ColumnElement[bool]:
    """SQL predicate: `column` (a region code) lies in one of the scope subtrees."""
    codes = list(scope_codes)
    if not codes:
        return false()
    return or_(*(or_(column == c, column.like(c + ".%")) for c in codes))


def user_scope_filter(column: ColumnElement[str], user: User) -> ColumnElement[bool]:
    """The predicate for a user's own scope. A user with no scope sees nothing."""
    return scope_filter(column, user.scope_codes) if user.scope_codes else false()


def actor_scope_filter(column: ColumnElement[str], actor: User | None) -> ColumnElement[bool]:
    """`user_scope_filter` for a service that also runs as the system: no actor (the command
    line) sees every region."""
    return true() if actor is None else user_scope_filter(column, actor)


def user_sees_code(user: User, code: str) -> bool:
    return code_in_scope(code, user.scope_codes)


def region_visible_filter(column: ColumnElement[str], user: User) -> ColumnElement[bool]:
    """Regions a user may browse: the subtrees of the scope and the ancestors leading to them."""
    codes = user.scope_codes
    if not codes:
        return false()
    ancestors: set[str] = set()
    for code in codes:
        parts = code.split(".")
        ancestors.update(".".join(parts[:i]) for i in range(1, len(parts)))
    clauses = [scope_filter(column, codes)]
    if ancestors:
        clauses.append(column.in_(sorted(ancestors)))
    return or_(*clauses) if clauses else true()
