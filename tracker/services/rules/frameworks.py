"""Framework versions: the shipped default, drafts, activation.

Life cycle: draft → active → retired. Exactly one version is active; assessments are made under it.
A version that is or was in use is immutable (its assessments must stay explainable by the rules
that produced them): only a draft without assessments can be edited, and a change to the active
rules is a new draft copied from it, then activated.

`actor=None` is the server operator (CLI, seeder, first start): no permission check. A user needs
MANAGE_FRAMEWORK for every write here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Assessment
from tracker.models import Framework as FrameworkRow
from tracker.models.base import utcnow
from tracker.models.framework import FRAMEWORK_ACTIVE, FRAMEWORK_DRAFT, FRAMEWORK_RETIRED
from tracker.models.user import User
from tracker.scoring.editing import apply_form
from tracker.scoring.framework import (
    Framework,
    FrameworkInvalid,
    default_definition,
    load_framework,
)
from tracker.services.common import audit_writer
from tracker.services.common.errors import Forbidden, Invalid, NotFound
from tracker.services.common.permissions import MANAGE_FRAMEWORK, VIEW, require
from tracker.services.common.unit_of_work import transaction

__all__ = [
    "FrameworkLocked",
    "FrameworkNotFound",
    "FrameworkRulesInvalid",
    "VersionRow",
    "activate",
    "active_framework",
    "create_draft",
    "edit_draft",
    "editable_draft",
    "ensure_default",
    "get",
    "get_active",
    "has_assessments",
    "list_versions",
    "update_draft",
]


class FrameworkNotFound(NotFound):
    """No framework with this version."""


class FrameworkLocked(Forbidden):
    """The version may not be changed (not a draft, or assessments were made with it), whoever
    asks; the message is Indonesian and shown as is."""


class FrameworkRulesInvalid(Invalid):
    """The rules were refused: the pure checker's FrameworkInvalid as a service refusal.
    `problems` lists every one (Indonesian sentences for the admin)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def _checked(definition: Any) -> Framework:
    """The parsed rules, or FrameworkRulesInvalid listing every problem."""
    try:
        return load_framework(definition)
    except FrameworkInvalid as exc:
        raise FrameworkRulesInvalid(exc.problems) from exc


@dataclass(frozen=True)
class VersionRow:
    framework: FrameworkRow
    assessments: int

    @property
    def editable(self) -> bool:
        return self.framework.state == FRAMEWORK_DRAFT and self.assessments == 0


def ensure_default(actor: User | None = None) -> FrameworkRow | None:
    """Insert the shipped framework v1 as the active version when the table is empty.

    Idempotent: returns the new row, or None when any version already exists. Called by
    `flask framework init`, `flask demo seed` and at first start.
    """
    with transaction():
        if db.session.scalar(select(func.count()).select_from(FrameworkRow)):
            return None
        definition = default_definition()
        fw = load_framework(definition)  # the shipped file must itself be valid
        now = utcnow()
        row = FrameworkRow(
            version=1,
            name=fw.name,
            description=fw.description,
            state=FRAMEWORK_ACTIVE,
            definition=definition,
            created_at=now,
            activated_at=now,
            created_by_id=actor.id if actor is not None else None,
        )
        db.session.add(row)
        db.session.flush()
        audit_writer.record(
            "framework.create",
            "framework",
            row.id,
            actor,
            params={"version": row.version, "name": fw.name},
        )
    return row


def get_active() -> FrameworkRow | None:
    return db.session.scalar(select(FrameworkRow).where(FrameworkRow.state == FRAMEWORK_ACTIVE))


def active_framework() -> tuple[FrameworkRow, Framework] | None:
    """The active row with its parsed rules, or None before any framework exists."""
    row = get_active()
    if row is None:
        return None
    return row, load_framework(row.definition)


def get(version: int) -> FrameworkRow:
    row = db.session.scalar(select(FrameworkRow).where(FrameworkRow.version == version))
    if row is None:
        raise FrameworkNotFound(_("Kerangka v%(v)s tidak ditemukan.", v=version))
    return row


def _assessment_counts() -> dict[int, int]:
    rows = db.session.execute(
        select(Assessment.framework_id, func.count()).group_by(Assessment.framework_id)
    )
    return {framework_id: int(n) for framework_id, n in rows}


def has_assessments(version: int) -> bool:
    row = get(version)
    return (
        db.session.scalar(select(Assessment.id).where(Assessment.framework_id == row.id).limit(1))
        is not None
    )


def list_versions(actor: User | None) -> list[VersionRow]:
    """Every version, newest first, with how many assessments were made with it."""
    require(actor, VIEW)
    counts = _assessment_counts()
    rows = db.session.scalars(select(FrameworkRow).order_by(FrameworkRow.version.desc())).all()
    return [VersionRow(row, counts.get(row.id, 0)) for row in rows]


def version_row(version: int) -> VersionRow:
    row = get(version)
    count = (
        db.session.scalar(
            select(func.count()).select_from(Assessment).where(Assessment.framework_id == row.id)
        )
        or 0
    )
    return VersionRow(row, int(count))


def create_draft(from_version: int, actor: User | None) -> FrameworkRow:
    """A new draft version copied from `from_version` (usually the active one)."""
    require(actor, MANAGE_FRAMEWORK)
    with transaction():
        source = get(from_version)
        number = (db.session.scalar(select(func.max(FrameworkRow.version))) or 0) + 1
        definition = dict(source.definition)
        definition["name"] = _("Kerangka Penilaian KIM v%(n)s", n=number)
        definition = load_framework(definition).to_dict()
        row = FrameworkRow(
            version=number,
            name=definition["name"],
            description=source.description,
            state=FRAMEWORK_DRAFT,
            definition=definition,
            created_by_id=actor.id if actor is not None else None,
        )
        db.session.add(row)
        db.session.flush()
        audit_writer.record(
            "framework.draft",
            "framework",
            row.id,
            actor,
            params={"version": number, "source": source.version},
        )
    return row


def editable_draft(version: int, actor: User | None) -> FrameworkRow:
    """The version if it may still be edited, else FrameworkLocked saying why."""
    require(actor, MANAGE_FRAMEWORK)
    row = get(version)
    if row.state != FRAMEWORK_DRAFT:
        raise FrameworkLocked(
            _(
                "Kerangka v%(v)s sudah pernah dipakai dan tidak dapat diubah; buat draf baru "
                "darinya.",
                v=version,
            )
        )
    if has_assessments(version):
        raise FrameworkLocked(
            _("Kerangka v%(v)s sudah dipakai untuk penilaian dan tidak dapat diubah.", v=version)
        )
    return row


def update_draft(version: int, definition: dict[str, Any], actor: User | None) -> FrameworkRow:
    """Replace a draft's definition after validating it (FrameworkRulesInvalid lists every
    problem)."""
    require(actor, MANAGE_FRAMEWORK)
    with transaction():
        row = editable_draft(version, actor)
        fw = _checked(definition)
        return _store(row, fw, actor)


def edit_draft(version: int, fields: dict[str, str | None], actor: User | None) -> FrameworkRow:
    """The edit form's path: typed values applied to the draft; parse and validation problems
    are raised together, and nothing is written unless there are none."""
    require(actor, MANAGE_FRAMEWORK)
    with transaction():
        row = editable_draft(version, actor)
        definition, problems = apply_form(row.definition, fields)
        try:
            fw = _checked(definition)
        except FrameworkRulesInvalid as exc:
            raise FrameworkRulesInvalid(problems + exc.problems) from exc
        if problems:
            raise FrameworkRulesInvalid(problems)
        return _store(row, fw, actor)


def _store(row: FrameworkRow, fw: Framework, actor: User | None) -> FrameworkRow:
    """Replace the draft's rules (inside the caller's unit of work)."""
    definition = fw.to_dict()
    changed = _changed_paths(row.definition, definition)
    row.definition = definition
    row.name = fw.name
    row.description = fw.description
    audit_writer.record(
        "framework.update",
        "framework",
        row.id,
        actor,
        params={"version": row.version},
        changes=changed,
    )
    return row


def _part_key(part: dict[str, Any], position: int) -> str:
    """How a change names one part of a list: its code (dimensions, indicators), its name (tiers),
    "tier/target" (conditions); its position only when it has none of these."""
    if "code" in part:
        return str(part["code"])
    if "tier" in part and "target" in part:
        return f"{part['tier']}/{part['target']}"
    if "name" in part:
        return str(part["name"])
    return str(position)


def _changed_paths(before: Any, after: Any, path: str = "") -> dict[str, list[Any]]:
    """{"indicators.W1.bands": [old, new], "tiers.Maju.min": …}: what an edit changed, keyed as
    audit_vocabulary names the framework's fields."""
    if isinstance(before, dict) and isinstance(after, dict):
        found: dict[str, list[Any]] = {}
        for key in sorted(set(before) | set(after)):
            found.update(_changed_paths(before.get(key), after.get(key), f"{path}{key}."))
        return found
    if (
        isinstance(before, list)
        and isinstance(after, list)
        and len(before) == len(after)
        and all(isinstance(x, dict) for x in before + after)
    ):
        found = {}
        for i, (old, new) in enumerate(zip(before, after, strict=True)):
            found.update(_changed_paths(old, new, f"{path}{_part_key(new, i)}."))
        return found
    if before != after:
        return {path.rstrip("."): [before, after]}
    return {}


def activate(version: int, actor: User | None) -> FrameworkRow:
    """Make `version` the active framework and retire the one it replaces. A draft or a retired
    version may be activated; its rules are validated again first."""
    require(actor, MANAGE_FRAMEWORK)
    with transaction():
        row = get(version)
        if row.state == FRAMEWORK_ACTIVE:
            raise FrameworkLocked(_("Kerangka v%(v)s sudah aktif.", v=version))
        _checked(row.definition)
        previous = get_active()
        if previous is not None:
            previous.state = FRAMEWORK_RETIRED
            db.session.flush()  # one active version at any moment
        row.state = FRAMEWORK_ACTIVE
        row.activated_at = utcnow()
        audit_writer.record(
            "framework.activate",
            "framework",
            row.id,
            actor,
            params={"version": row.version}
            | ({"previous": previous.version} if previous is not None else {}),
            message="framework.activate.replacing" if previous is not None else None,
        )
    return row
