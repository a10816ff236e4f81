"""Accounts, their region scope, and what login throttling counts: failed logins and the
addresses each account has signed in from."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, utcnow

if TYPE_CHECKING:
    from tracker.models.region import Region

ROLE_ADMIN = "admin"
ROLE_KABID = "kabid"
ROLE_PETUGAS = "petugas"
ROLE_VIEWER = "viewer"
ROLES = (ROLE_ADMIN, ROLE_KABID, ROLE_PETUGAS, ROLE_VIEWER)
ROLE_LABELS = {
    ROLE_ADMIN: "Admin",
    ROLE_KABID: "Kabid PIKP",
    ROLE_PETUGAS: "Petugas",
    ROLE_VIEWER: "Peninjau",
}


class User(UserMixin, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    locale: Mapped[str] = mapped_column(String(5), default="id")
    # where reminders are e-mailed when the office has SMTP configured (none: the bell only)
    email: Mapped[str | None] = mapped_column(String(254))
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Every session remembers the generation it was opened in; logout, a password change or
    # reset and deactivation raise it, which ends every session opened before (a copied cookie
    # included). Checked on every request by tracker.web.common.security.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    scopes: Mapped[list[UserScope]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="UserScope.region_code"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.is_active_account

    @property
    def scope_codes(self) -> list[str]:
        return [s.region_code for s in self.scopes]

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class UserScope(Base):
    """One region node a user may see, with its whole subtree (a petugas may hold several)."""

    __tablename__ = "user_scope"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    region_code: Mapped[str] = mapped_column(
        ForeignKey("region.code", ondelete="RESTRICT"), primary_key=True
    )

    user: Mapped[User] = relationship(back_populates="scopes")
    # joined: a scope is always shown with its region's name, never as a bare code
    region: Mapped[Region] = relationship(lazy="joined")


class LoginFailure(Base):
    """A failed login, kept in the database so throttling holds across gunicorn workers."""

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    attempted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    remote_addr: Mapped[str | None] = mapped_column(String(45), index=True)


class LoginAddress(Base):
    """An address this account signed in from successfully. A correct password from such an
    address passes the per-account back-off that an attacker elsewhere has caused: the owner is
    slowed only by failures from his own address. Pruned after LOGIN_KNOWN_ADDRESS_DAYS."""

    __tablename__ = "login_address"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    remote_addr: Mapped[str] = mapped_column(String(45), primary_key=True)
    last_success_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class ApiToken(Base):
    """A personal token for the read-only JSON API (/api/v1): it acts as its user, with the
    user's role and region scope. Only the SHA-256 of the secret is kept (the secret is shown
    once, when created); `prefix` is its first characters, to tell one token from another.
    `window_start`/`window_count` count the requests of the current rate-limit window, in the
    database so the limit holds across gunicorn workers (tracker.services.accounts.api_tokens)."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    window_start: Mapped[datetime | None] = mapped_column(DateTime)
    window_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    user: Mapped[User] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None
