"""The unit of work: services compose, only the outermost `transaction()` commits, and a failure
anywhere inside leaves nothing written (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests import counting, factories
from tracker.extensions import db
from tracker.models import AuditEntry, Kim, Period
from tracker.services.common.unit_of_work import depth, transaction
from tracker.services.registry import kims
from tracker.services.rules import periods


def _rows(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _register(name: str, desa_code: str) -> Kim:
    """An outer service made of two write services: a period and a KIM in one unit."""
    with transaction():
        periods.add_period("2025-T1", None)
        return kims.create_kim(None, kims.KimInput(name=name, desa_code=desa_code))


def test_a_service_alone_commits_once(regions: factories.RegionTree) -> None:
    with counting.commits() as commits:
        periods.add_period("2025-T1", None)
    assert commits.count == 1
    assert depth() == 0


def test_two_nested_services_commit_once(regions: factories.RegionTree) -> None:
    with counting.commits() as commits:
        kim = _register("KIM Sumber Makmur", regions.desa_a1)
    assert commits.count == 1
    db.session.expire_all()
    assert _rows(Period) == 1 and db.session.get(Kim, kim.id) is not None
    assert db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all() == [
        "period.create",
        "kim.create",
    ]


def test_a_refused_inner_service_leaves_nothing_written(regions: factories.RegionTree) -> None:
    with counting.commits() as commits, pytest.raises(kims.KimInvalidError):
        _register("KIM Sumber Makmur", "35.99.99.9999")  # no such desa: the KIM is refused
    assert commits.count == 0
    assert depth() == 0
    db.session.expire_all()
    # the period the outer service had already written (and flushed) is gone with it
    assert _rows(Period) == 0 and _rows(Kim) == 0 and _rows(AuditEntry) == 0


def test_a_database_refusal_inside_rolls_back_the_whole_unit(
    regions: factories.RegionTree,
) -> None:
    """The inner failure is the database's own (a unique constraint at flush), not a check."""
    taken = factories.kim(regions.desa_a1, name="KIM Sumber Makmur")
    with pytest.raises(IntegrityError), transaction():
        periods.add_period("2025-T1", None)
        db.session.add(Kim(name=taken.name, desa_code=taken.desa_code))
        db.session.flush()
    assert depth() == 0
    db.session.expire_all()
    assert _rows(Period) == 0 and _rows(Kim) == 1
    # the session is usable again: the next unit commits normally
    periods.add_period("2025-T2", None)
    assert db.session.scalars(select(Period.code)).all() == ["2025-T2"]


def test_an_inner_block_flushes_so_the_outer_one_reads_its_rows(
    regions: factories.RegionTree,
) -> None:
    with transaction():
        period = periods.add_period("2025-T1", None)
        assert period.id is not None  # flushed by the inner unit, not committed
        assert db.session.scalar(select(Period.code)) == "2025-T1"
        assert depth() == 1
