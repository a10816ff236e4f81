"""Fixtures of the API tests: a token for a user of a given role and scope, and a small district
with something in every list (KIMs in two kecamatan, an assessed period, a session with its
attendance, a visit with a follow-up, letters)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest

from tests import factories
from tracker.models import Kim, Period
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


def seed_district(regions: factories.RegionTree, per_kecamatan: int = 2) -> District:
    """`per_kecamatan` KIMs in each kecamatan, each with a result, invited to one session (half
    of them came), visited, followed up and written to."""
    fw = frameworks.ensure_default()
    assert fw is not None
    period = factories.make_period("2025-T1")
    kims_a = [factories.kim(regions.desa_a1) for _ in range(per_kecamatan)]
    kims_b = [factories.kim(regions.desa_b1) for _ in range(per_kecamatan)]
    for n, kim in enumerate([*kims_a, *kims_b]):
        factories.make_assessment(
            kim,
            period,
            fw,
            score=40.0 + n,
            tier="Berkembang",
            dimension_scores={"A": 50.0 + n},
        )
    everyone = [*kims_a, *kims_b]
    session = factories.make_session(invited=everyone, attended=everyone[::2])
    author = factories.user(role="petugas", scope=[regions.kabupaten], username="pencatat")
    visit = factories.make_visit(author, regions.kec_a, kims_a)
    for kim in [*kims_a, *kims_b]:
        factories.make_follow_up(kim, author, date(2025, 3, 1))
    letters = [
        factories.make_letter(kim, period, regions.kec_a if kim in kims_a else regions.kec_b)
        for kim in everyone
    ]
    return District(
        kims_a=kims_a,
        kims_b=kims_b,
        period=period,
        session_id=session.id,
        visit_id=visit.id,
        letter_a=letters[0].id,
        letter_b=letters[-1].id,
    )


@pytest.fixture
def district(regions: factories.RegionTree) -> District:
    return seed_district(regions)
