"""The audit vocabulary keeps up with the code that writes entries and the forms people know:
every action recorded anywhere has its wording, and a field reads under its form's label."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask import Flask
from wtforms.fields.core import UnboundField

from tracker.services.common import audit_writer
from tracker.services.common.audit_vocabulary import ACTION_LABELS, FIELDS, MESSAGES, find_field
from tracker.web.accounts.login import LocaleForm
from tracker.web.accounts.user_admin import UserCreateForm
from tracker.web.letters.office import LogoForm, OfficeForm
from tracker.web.registry.kims import KimForm
from tracker.web.rules.frameworks import _EditBase
from tracker.web.rules.periods import PeriodForm
from tracker.web.visits.forms import CloseForm, FollowUpForm, VisitForm

SOURCE = Path(__file__).resolve().parents[2] / "tracker"


def _strings(expr: ast.expr) -> set[str]:
    """The string literals an argument may be (`"a" if x else "b"` is both)."""
    return {
        c.value for c in ast.walk(expr) if isinstance(c, ast.Constant) and isinstance(c.value, str)
    }


def _recorded() -> set[tuple[str, str]]:
    """(action, message key) of every audit_writer.record(...) call, for each literal action and
    message key it may choose (a key held in a variable is not seen)."""
    found = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit_writer"
                and node.args
            ):
                continue
            actions = _strings(node.args[0])
            chosen = [k.value for k in node.keywords if k.arg == "message"]
            messages = {m for expr in chosen for m in _strings(expr)}
            none_branch = any(
                isinstance(c, ast.Constant) and c.value is None for e in chosen for c in ast.walk(e)
            )
            for action in actions:
                # no literal message (or None in a branch): the action's own
                own = {action} if not messages or none_branch else set()
                found.update((action, m) for m in messages | own)
    return found


def test_every_recorded_action_has_a_name_and_a_summary() -> None:
    recorded = _recorded()
    assert len(recorded) > 20  # the scan finds the call sites
    assert not {a for a, _m in recorded} - set(ACTION_LABELS)
    assert not {m for _a, m in recorded} - set(MESSAGES)


def _label(field: UnboundField) -> str:
    return str(field.args[0] if field.args else field.kwargs["label"])


@pytest.mark.parametrize(
    ("entity", "form", "names"),
    [
        (
            "kim",
            KimForm,
            [
                "name",
                "desa_code",
                "kimid_number",
                "website",
                "sk_number",
                "sk_date",
                "chair",
                "phone",
                "email",
                "members",
                "notes",
            ],
        ),
        ("user", UserCreateForm, ["username", "full_name", "role", "scopes", "is_active"]),
        ("user", LocaleForm, ["locale"]),
        ("period", PeriodForm, ["code"]),
        ("framework", _EditBase, ["name", "description"]),
        ("monitoring_visit", VisitForm, ["started_on", "ended_on", "team_names", "notes"]),
        ("follow_up", FollowUpForm, ["kim_id", "recommendation", "owner_id", "due_on"]),
        ("follow_up", CloseForm, ["closed_on"]),
        ("office", OfficeForm, [n for n in FIELDS["office"] if n != "logo"]),
        ("office", LogoForm, ["logo"]),
    ],
)
def test_a_field_reads_under_the_label_of_its_form(app: Flask, entity, form, names) -> None:
    with app.test_request_context():
        for name in names:
            assert FIELDS[entity][name].label == _label(getattr(form, name)), name


def test_pattern_keys_capture_codes_with_dots() -> None:
    match = find_field("region", "35.08.09.2006.name")
    assert match is not None and match.captures == {"region": "35.08.09.2006"}
    match = find_field("framework", "conditions.Maju/W2.min")
    assert match is not None and match.captures == {"tier": "Maju", "target": "W2"}
    assert find_field("kim", "no_such_field") is None


@pytest.mark.parametrize(
    ("codes", "region"),
    [
        (["35.08.09.2001", "35.08.09.2002"], "35.08.09"),
        (["35.08.09.2001", "35.08.02.2001"], "35.08"),
        (["35.08.09.2001"], "35.08.09.2001"),
        (["35.08", "36.01"], None),
        ([], None),
    ],
)
def test_enclosing_region(codes, region) -> None:
    assert audit_writer.enclosing_region(codes) == region
