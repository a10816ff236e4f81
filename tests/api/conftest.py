"""Fixtures of the API tests: a token for a user of a given role and scope, and a small district
with something in every list (KIMs in two kecamatan, an assessed period, a session with its
attendance, a visit with a follow-up, letters)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from tests import factories
from tracker.extensions import db
from tracker.models import Kim, Letter, Period, User
from tracker.services.accounts import api_tokens
from tracker.services.rules import frameworks


@dataclass
class Token:
    secret: str
    token_id: int
    user_id: int

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}"}


@pytest.fixture
def api_token(regions: factories.RegionTree) -> Callable[..., Token]:
    """api_token("petugas", scope=[...]) makes a user of that role (the kabupaten unless `scope`
    says otherwise) and a token for him."""
    made = 0

    def _make(role: str = "viewer", scope: list[str] | None = None) -> Token:
        nonlocal made
        made += 1
        user = factories.user(
            role=role, scope=scope or [regions.kabupaten], username=f"{role}-api-{made}"
        )
        created = api_tokens.create_token(user, "Dasbor provinsi")
        return Token(created.secret, created.row.id, user.id)

    return _make


@dataclass
class District:
    kims_a: list[Kim]  # in kecamatan A (Sukodono)
    kims_b: list[Kim]  # in kecamatan B (Pasirian)
    period: Period
    session_id: int
    visit_id: int
    letter_a: int
    letter_b: int


def _with_records(
    kims: list[Kim], kecamatan: str, period: Period, author: User, start: int = 0
) -> list[Letter]:
    """A result, an open follow-up and a letter for each of `kims`."""
    fw = frameworks.get_active()
    assert fw is not None
    letters = []
    for n, kim in enumerate(kims, start=start):
        factories.make_assessment(
            kim, period, fw, score=40.0 + n, tier="Berkembang", dimension_scores={"A": 50.0 + n}
        )
        factories.make_follow_up(kim, author, date(2025, 3, 1))
        letters.append(factories.make_letter(kim, period, kecamatan))
    return letters


def seed_district(regions: factories.RegionTree, per_kecamatan: int = 2) -> District:
    """`per_kecamatan` KIMs in each kecamatan, each with a result, invited to one session (half
    of them came), followed up and written to; the ones of kecamatan A were visited."""
    frameworks.ensure_default()
    period = factories.make_period("2025-T1")
    kims_a = [factories.kim(regions.desa_a1) for _ in range(per_kecamatan)]
    kims_b = [factories.kim(regions.desa_b1) for _ in range(per_kecamatan)]
    author = factories.user(role="petugas", scope=[regions.kabupaten], username="pencatat")
    letters = _with_records(kims_a, regions.kec_a, period, author)
    letters += _with_records(kims_b, regions.kec_b, period, author, start=len(kims_a))
    everyone = [*kims_a, *kims_b]
    session = factories.make_session(invited=everyone, attended=everyone[::2])
    visit = factories.make_visit(author, regions.kec_a, kims_a)
    return District(
        kims_a=kims_a,
        kims_b=kims_b,
        period=period,
        session_id=session.id,
        visit_id=visit.id,
        letter_a=letters[0].id,
        letter_b=letters[-1].id,
    )


def grow(district: District, regions: factories.RegionTree, count: int) -> None:
    """`count` more KIMs in each kecamatan with everything `seed_district` gives its own, a
    session and a visit more each."""
    author = db.session.scalar(select(User).where(User.username == "pencatat"))
    for kecamatan, desa, kept in (
        (regions.kec_a, regions.desa_a1, district.kims_a),
        (regions.kec_b, regions.desa_b1, district.kims_b),
    ):
        more = [factories.kim(desa) for _ in range(count)]
        _with_records(more, kecamatan, district.period, author, start=100 + len(kept))
        kept.extend(more)
        factories.make_session(invited=more, attended=more[::2])
        factories.make_visit(author, kecamatan, more)


@pytest.fixture
def district(regions: factories.RegionTree) -> District:
    return seed_district(regions)
