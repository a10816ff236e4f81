"""Framework versions: default on first run, drafts, edits, activation, immutability once used."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from tests import factories
from tracker.extensions import db
from tracker.models import AuditEntry, Framework
from tracker.scoring.framework import default_definition
from tracker.services.common.permissions import PermissionDenied
from tracker.services.rules import frameworks
from tracker.services.rules.frameworks import (
    FrameworkLocked,
    FrameworkNotFound,
    FrameworkRulesInvalid,
)


def _count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_ensure_default_inserts_v1_once(app) -> None:
    row = frameworks.ensure_default()
    assert row is not None
    assert (row.version, row.state) == (1, "active")
    assert row.definition == default_definition()
    assert row.activated_at is not None
    assert frameworks.ensure_default() is None
    assert _count(Framework) == 1
    assert frameworks.get_active().version == 1
    assert len(_audit("framework.create")) == 1


def test_ensure_default_leaves_existing_frameworks_alone(app) -> None:
    frameworks.ensure_default()
    draft = frameworks.create_draft(1, None)
    frameworks.activate(draft.version, None)
    assert frameworks.ensure_default() is None
    assert frameworks.get_active().version == 2


def test_get_unknown_version(app) -> None:
    with pytest.raises(FrameworkNotFound):
        frameworks.get(9)


def test_create_draft_copies_the_source(app, regions) -> None:
    frameworks.ensure_default()
    admin = factories.user("admin")
    draft = frameworks.create_draft(1, admin)
    assert (draft.version, draft.state) == (2, "draft")
    assert draft.name == "Kerangka Penilaian KIM v2"
    assert draft.definition["indicators"] == default_definition()["indicators"]
    assert draft.created_by_id == admin.id
    entry = _audit("framework.draft")[0]
    assert entry.user_id == admin.id and entry.entity_id == str(draft.id)
    assert entry.params == {"version": 2, "source": 1}
    assert frameworks.get_active().version == 1  # nothing changes until activation


def test_roles_without_manage_framework_are_refused(app, regions) -> None:
    frameworks.ensure_default()
    kabid = factories.user("kabid")
    with pytest.raises(PermissionDenied):
        frameworks.create_draft(1, kabid)
    with pytest.raises(PermissionDenied):
        frameworks.activate(1, kabid)
    assert _count(Framework) == 1


def test_update_draft_validates_and_audits(app) -> None:
    frameworks.ensure_default()
    frameworks.create_draft(1, None)
    definition = frameworks.get(2).definition | {}
    definition = {**definition, "tiers": [dict(t) for t in definition["tiers"]]}
    definition["tiers"][2]["min"] = 65
    frameworks.update_draft(2, definition, None)
    assert frameworks.get(2).definition["tiers"][2]["min"] == 65
    entry = _audit("framework.update")[0]
    assert entry.changes == {"tiers.Maju.min": [60, 65]}  # the tier by its name


def test_update_draft_refuses_invalid_definition_and_writes_nothing(app) -> None:
    frameworks.ensure_default()
    frameworks.create_draft(1, None)
    definition = default_definition()
    definition["dimensions"][0]["weight"] = 0
    definition["tiers"][3]["min"] = 10
    with pytest.raises(FrameworkRulesInvalid) as err:
        frameworks.update_draft(2, definition, None)
    assert len(err.value.problems) >= 2
    db.session.rollback()
    assert frameworks.get(2).definition["dimensions"][0]["weight"] == 15
    assert _audit("framework.update") == []


def test_active_and_retired_versions_cannot_be_edited(app) -> None:
    frameworks.ensure_default()
    with pytest.raises(FrameworkLocked, match="tidak dapat diubah"):
        frameworks.update_draft(1, default_definition(), None)
    frameworks.create_draft(1, None)
    frameworks.activate(2, None)
    with pytest.raises(FrameworkLocked):
        frameworks.update_draft(1, default_definition(), None)  # retired


def test_draft_with_assessments_cannot_be_edited(app, regions) -> None:
    frameworks.ensure_default()
    draft = frameworks.create_draft(1, None)
    kim = factories.kim()
    period = factories.make_period("2025-T1")
    factories.make_assessment(kim, period, draft, score=50)
    assert frameworks.has_assessments(2) is True
    assert frameworks.has_assessments(1) is False
    with pytest.raises(FrameworkLocked, match="sudah dipakai untuk penilaian"):
        frameworks.update_draft(2, default_definition(), None)
    with pytest.raises(FrameworkLocked):
        frameworks.edit_draft(2, {"stab_margin": "3"}, None)
    versions = {v.framework.version: v for v in frameworks.list_versions(None)}
    assert versions[2].assessments == 1 and versions[2].editable is False


def test_edit_draft_reports_parse_and_validation_problems_together(app) -> None:
    frameworks.ensure_default()
    frameworks.create_draft(1, None)
    with pytest.raises(FrameworkRulesInvalid) as err:
        frameworks.edit_draft(
            2,
            {"dim_K_weight": "abc", "ind_W1_bands": "0:0; 4:60; 1:30", "tier_3_min": "50"},
            None,
        )
    problems = err.value.problems
    assert "Bobot dimensi K: 'abc' bukan angka." in problems
    assert any("Pita skor W1: batas harus naik berurutan" in p for p in problems)
    assert any("Mandiri (50) tidak di atas Maju (60)" in p for p in problems)


def test_edit_draft_saves_typed_values(app) -> None:
    frameworks.ensure_default()
    frameworks.create_draft(1, None)
    frameworks.edit_draft(
        2,
        {
            "name": "Kerangka 2026",
            "dim_W_weight": "37,5",
            "ind_W1_bands": "0:0; 2:40; 6:70; 12:100",
            "ind_W4_bands": "14:100; 45:50; *:0",
            "cond_0_min": "55",
            "stab_margin": "7,5",
        },
        None,
    )
    row = frameworks.get(2)
    definition = row.definition
    assert row.name == "Kerangka 2026"
    assert definition["dimensions"][1]["weight"] == 37.5
    w1 = next(i for i in definition["indicators"] if i["code"] == "W1")
    assert w1["bands"] == [[0, 0], [2, 40], [6, 70], [12, 100]]
    w4 = next(i for i in definition["indicators"] if i["code"] == "W4")
    assert w4["bands"] == [[14, 100], [45, 50], [None, 0]]
    assert definition["conditions"][0]["min"] == 55
    assert definition["stability"]["demotion_margin"] == 7.5


def test_activate_retires_the_previous_version(app, regions) -> None:
    frameworks.ensure_default()
    frameworks.create_draft(1, None)
    admin = factories.user("admin")
    frameworks.activate(2, admin)
    states = {v.framework.version: v.framework.state for v in frameworks.list_versions(None)}
    assert states == {1: "retired", 2: "active"}
    assert frameworks.get(2).activated_at is not None
    entry = _audit("framework.activate")[0]
    assert entry.user_id == admin.id
    assert entry.message == "framework.activate.replacing"
    assert entry.params == {"version": 2, "previous": 1}
    with pytest.raises(FrameworkLocked, match="sudah aktif"):
        frameworks.activate(2, admin)
    # a retired version may come back
    frameworks.activate(1, admin)
    assert frameworks.get_active().version == 1
    assert (
        db.session.scalar(
            select(func.count()).select_from(Framework).where(Framework.state == "active")
        )
        == 1
    )


def test_list_versions_newest_first(app) -> None:
    frameworks.ensure_default()
    frameworks.create_draft(1, None)
    frameworks.create_draft(1, None)
    assert [v.framework.version for v in frameworks.list_versions(None)] == [3, 2, 1]
    assert [v.editable for v in frameworks.list_versions(None)] == [True, True, False]
