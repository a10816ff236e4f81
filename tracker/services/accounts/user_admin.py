"""User administration: which accounts an admin may see, and every change to them.

An admin manages only accounts that lie wholly inside his own region scope, and may grant only
scopes inside it: a kabupaten admin can never widen anyone's reach beyond his kabupaten, nor touch
a province account. Accounts outside are "not found", exactly like KIMs outside a scope.

Audit summaries are written in Indonesian whatever language the admin reads: the log is an office
record. Error messages follow the reader's language.

`actor=None` means the server operator on the command line (`flask user create`): he already holds
the machine, so no scope applies, and the audit entry names no user.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, exists, not_, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models.region import LEVEL_KECAMATAN, Region
from tracker.models.user import ROLES, User, UserScope
from tracker.services.accounts.authentication import (
    USERNAME_MAX_LENGTH,
    AccountError,
    check_new_password,
    end_sessions,
    hash_password,
    normalize_username,
)
from tracker.services.common import audit_writer
from tracker.services.common.errors import NotFound
from tracker.services.common.pagination import Page, paginate
from tracker.services.common.permissions import MANAGE_USERS, require
from tracker.services.common.scope import code_in_scope, scope_filter
from tracker.services.common.unit_of_work import transaction
from tracker.text import fold

_USERNAME_RE = re.compile(rf"^[\w.\-]{{3,{USERNAME_MAX_LENGTH}}}$")


class UserNotFoundError(NotFound):
    """No such account, or one outside the acting admin's scope (the same thing to him)."""


@dataclass
class UserInput:
    """What an admin form (or the CLI) submits for an account."""

    full_name: str
    role: str
    scope_codes: Sequence[str]
    is_active: bool = True


def _managed_filter(actor: User | None) -> ColumnElement[bool]:
    """Accounts with no scope outside the actor's scope (SQL predicate)."""
    if actor is None:
        return true()
    outside = not_(scope_filter(UserScope.region_code, actor.scope_codes))
    return not_(exists().where(UserScope.user_id == User.id, outside))


def _managed_users(actor: User | None) -> Select[tuple[User]]:
    return select(User).where(_managed_filter(actor)).options(selectinload(User.scopes))


def managed_user_ids(actor: User) -> Select[tuple[int]]:
    """Ids of the accounts an admin (or auditor) may see, for use as a subquery."""
    return select(User.id).where(_managed_filter(actor))


def scope_choices(actor: User | None, keep: Iterable[str] = ()) -> list[Region]:
    """Region nodes an actor may grant: his own nodes and the kabupaten/kecamatan below them,
    plus `keep` (an edited account's present scopes, e.g. a desa given on the command line, so
    that saving the form does not silently drop them)."""
    require(actor, MANAGE_USERS)
    keep = list(keep)
    level_ok = Region.level <= LEVEL_KECAMATAN
    stmt = (
        select(Region)
        .where(or_(level_ok, Region.code.in_(keep)) if keep else level_ok)
        .order_by(Region.code)
    )
    if actor is not None:
        stmt = stmt.where(scope_filter(Region.code, actor.scope_codes))
    return list(db.session.scalars(stmt))


def list_users(actor: User, q: str = "", page: int = 1, per_page: int = 25) -> Page[User]:
    """Accounts the admin manages, matched on username or full name, inactive ones last."""
    require(actor, MANAGE_USERS)
    stmt = _managed_users(actor)
    key = fold(q)
    if key:
        # usernames are stored folded; full names are matched case-insensitively
        pattern = "%" + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            or_(
                User.username.like(pattern, escape="\\"),
                User.full_name.ilike(pattern, escape="\\"),
            )
        )
    stmt = stmt.order_by(User.is_active_account.desc(), User.username)
    return paginate(stmt, page, per_page)


def get_user(actor: User, user_id: int) -> User:
    require(actor, MANAGE_USERS)
    user = db.session.scalar(_managed_users(actor).where(User.id == user_id))
    if user is None:
        raise UserNotFoundError()
    return user


def _clean_scopes(actor: User | None, codes: Iterable[str]) -> list[str]:
    wanted = sorted({c.strip() for c in codes if c and c.strip()})
    if not wanted:
        raise AccountError(_("Pilih minimal satu wilayah kerja."), "scopes")
    known = set(db.session.scalars(select(Region.code).where(Region.code.in_(wanted))))
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise AccountError(
            _("Kode wilayah tidak dikenal: %(codes)s.", codes=", ".join(unknown)), "scopes"
        )
    if actor is not None:
        outside = [c for c in wanted if not code_in_scope(c, actor.scope_codes)]
        if outside:
            raise AccountError(
                _(
                    "Wilayah di luar wilayah kerja Anda tidak dapat diberikan: %(codes)s.",
                    codes=", ".join(outside),
                ),
                "scopes",
            )
    # A node inside another chosen node adds nothing; keep the scope list minimal and clear.
    return [c for c in wanted if not any(c != o and code_in_scope(c, [o]) for o in wanted)]


def _clean_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(
            _(
                "Peran tidak dikenal: %(role)s. Pilihan: %(roles)s.",
                role=role,
                roles=", ".join(ROLES),
            ),
            "role",
        )
    return role


def _clean_full_name(name: str) -> str:
    name = " ".join((name or "").split())
    if len(name) > 120:
        raise AccountError(_("Nama lengkap maksimal 120 karakter."), "full_name")
    return name


def clean_username(username: str) -> str:
    """The stored (folded) form, or an Indonesian reason it is refused."""
    folded = normalize_username(username)
    if not _USERNAME_RE.fullmatch(folded):
        raise AccountError(
            _(
                "Nama pengguna 3–%(n)d karakter: huruf, angka, titik, garis bawah atau tanda "
                "hubung, tanpa spasi.",
                n=USERNAME_MAX_LENGTH,
            ),
            "username",
        )
    return folded


def _duplicate(username: str) -> AccountError:
    return AccountError(
        _('Nama pengguna "%(username)s" sudah dipakai. Pilih nama lain.', username=username),
        "username",
    )


def _snapshot(user: User) -> dict[str, object]:
    """The audited view of an account (audit_vocabulary's "user" fields); never the hash."""
    return {
        "full_name": user.full_name,
        "role": user.role,
        "is_active": user.is_active_account,
        "scopes": list(user.scope_codes),
    }


@dataclass
class _CleanAccount:
    username: str
    full_name: str
    role: str
    scopes: list[str]


def check_new_user(actor: User | None, username: str, data: UserInput) -> _CleanAccount:
    """Everything about a new account except its password; raises AccountError on the first
    problem. Lets the CLI refuse a bad role or region before asking for a password."""
    require(actor, MANAGE_USERS)
    folded = clean_username(username)
    clean = _CleanAccount(
        username=folded,
        full_name=_clean_full_name(data.full_name),
        role=_clean_role(data.role),
        scopes=_clean_scopes(actor, data.scope_codes),
    )
    if db.session.scalar(select(User.id).where(User.username == folded)) is not None:
        raise _duplicate(folded)
    return clean


def create_user(actor: User | None, username: str, password: str, data: UserInput) -> User:
    """Create an account. Nothing is written when any part of the input is refused."""
    with transaction():
        clean = check_new_user(actor, username, data)
        folded, role, scopes = clean.username, clean.role, clean.scopes
        check_new_password(password, folded)
        user = User(
            username=folded,
            full_name=clean.full_name,
            role=role,
            password_hash=hash_password(password),
            is_active_account=data.is_active,
            locale="id",
        )
        user.scopes = [UserScope(region_code=c) for c in scopes]
        db.session.add(user)
        try:
            db.session.flush()
        except IntegrityError as exc:  # a concurrent create took the name between check and insert
            raise _duplicate(folded) from exc
        audit_writer.record(
            "user.create",
            "user",
            user.id,
            actor,
            params={"user": user.id, "role": role},
            changes=audit_writer.created({"username": folded, **_snapshot(user)}),
        )
    return user


def update_user(actor: User, user_id: int, data: UserInput) -> User:
    """Change name, role, active flag and scopes. An admin cannot demote or lock out himself."""
    with transaction():
        user = get_user(actor, user_id)
        full_name = _clean_full_name(data.full_name)
        role = _clean_role(data.role)
        scopes = _clean_scopes(actor, data.scope_codes)
        if user.id == actor.id:
            if role != user.role:
                raise AccountError(_("Anda tidak dapat mengubah peran akun Anda sendiri."), "role")
            if not data.is_active:
                raise AccountError(
                    _("Anda tidak dapat menonaktifkan akun Anda sendiri."), "is_active"
                )
        before = _snapshot(user)
        user.full_name = full_name
        user.role = role
        if user.is_active_account and not data.is_active:
            end_sessions(user)  # deactivated: every open session ends now
        user.is_active_account = data.is_active
        if scopes != user.scope_codes:
            # keep the rows that stay (same primary key), drop and add only the difference
            user.scopes = [s for s in user.scopes if s.region_code in scopes] + [
                UserScope(region_code=c) for c in scopes if c not in user.scope_codes
            ]
            db.session.flush()
            db.session.refresh(user, ["scopes"])
        changes = audit_writer.diff(before, _snapshot(user))
        if changes:
            audit_writer.record(
                "user.update", "user", user.id, actor, params={"user": user.id}, changes=changes
            )
    return user


def reset_password(actor: User, user_id: int, password: str) -> User:
    """An admin sets a new password; every session of the account ends (an admin resetting his
    own re-binds the session that asked)."""
    user = get_user(actor, user_id)
    return _reset_password(user, password, actor, "user.password_reset")


def _reset_password(user: User, password: str, actor: User | None, message: str) -> User:
    """Set a password chosen for someone else; the audit entry never holds the hash."""
    check_new_password(password, user.username)
    with transaction():
        user.password_hash = hash_password(password)
        end_sessions(user)
        audit_writer.record(
            "user.password_reset", "user", user.id, actor, params={"user": user.id}, message=message
        )
    return user


def set_active(actor: User, user_id: int, active: bool) -> User:
    """Deactivate (the account can no longer log in, open sessions end) or reactivate."""
    with transaction():
        user = get_user(actor, user_id)
        if user.id == actor.id and not active:
            raise AccountError(_("Anda tidak dapat menonaktifkan akun Anda sendiri."))
        if user.is_active_account == active:
            return user
        user.is_active_account = active
        if not active:
            end_sessions(user)  # reactivating later does not revive the old sessions
        audit_writer.record(
            "user.activate" if active else "user.deactivate",
            "user",
            user.id,
            actor,
            params={"user": user.id},
            changes={"is_active": [not active, active]},
        )
    return user


def find_by_username(username: str) -> User:
    folded = normalize_username(username)
    user = db.session.scalar(select(User).where(User.username == folded))
    if user is None:
        raise UserNotFoundError(_("Pengguna tidak ditemukan: %(username)s.", username=folded))
    return user


def set_password_by_username(username: str, password: str) -> User:
    """The operator's reset from the command line (`flask user set-password`)."""
    user = find_by_username(username)
    return _reset_password(user, password, None, "user.password_reset.cli")


def all_users() -> list[User]:
    """Every account, for the operator's `flask user list`."""
    return list(
        db.session.scalars(select(User).options(selectinload(User.scopes)).order_by(User.username))
    )
