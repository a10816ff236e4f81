"""The topic catalogue (materi pembinaan): training modules and the indicators each improves.

Read by everyone; written by admin and kabid (MANAGE_COACHING), audited. The roadmap's topic hints
read the catalogue through `tracker.services.assessment.topic_hints`. The shipped catalogue
(`tracker/data/topics-v1.json`) goes into an empty table: by migration 0007, `flask topic init`
and the demo seed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Topic, TopicIndicator
from tracker.models.coaching import session_topic
from tracker.models.user import User
from tracker.scoring.framework import Framework, default_framework, load_framework
from tracker.services.coaching.errors import CoachingInvalidError, TopicNotFoundError
from tracker.services.common import audit_writer
from tracker.services.common.errors import Invalid
from tracker.services.common.permissions import MANAGE_COACHING, VIEW, require
from tracker.services.common.unit_of_work import transaction
from tracker.services.rules import frameworks
from tracker.text import fold

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "topics-v1.json"
NAME_MAX = 150
DESCRIPTION_MAX = 2000


@dataclass(frozen=True)
class TopicRow:
    id: int
    name: str
    description: str
    codes: list[str]
    sessions: int  # sessions that taught it


@dataclass
class TopicInput:
    name: str
    description: str = ""
    codes: list[str] = field(default_factory=list)


def _framework() -> Framework:
    """The active framework (its indicators are what a topic may name), else the shipped v1."""
    row = frameworks.get_active()
    return load_framework(row.definition) if row is not None else default_framework()


def indicator_choices() -> list[tuple[str, str]]:
    """(code, "W1 Berita per bulan") of every indicator a topic may improve, gates included."""
    fw = _framework()
    return [(code, fw.label(code)) for code in fw.indicators]


def list_topics(user: User | None) -> list[TopicRow]:
    """The catalogue by name, with how many sessions taught each topic (two queries)."""
    require(user, VIEW)
    taught = dict(
        db.session.execute(
            select(session_topic.c.topic_id, func.count()).group_by(session_topic.c.topic_id)
        ).all()
    )
    topics = db.session.scalars(
        select(Topic).options(selectinload(Topic.indicators)).order_by(Topic.name_key, Topic.id)
    )
    return [
        TopicRow(t.id, t.name, t.description or "", t.codes, int(taught.get(t.id, 0)))
        for t in topics
    ]


def topic_options() -> list[tuple[int, str]]:
    """(id, name) of every topic, for filters and the session form."""
    return [
        (row.id, row.name)
        for row in db.session.execute(select(Topic.id, Topic.name).order_by(Topic.name_key))
    ]


def get_topic(user: User | None, topic_id: int) -> Topic:
    require(user, VIEW)
    topic = db.session.scalar(
        select(Topic).where(Topic.id == topic_id).options(selectinload(Topic.indicators))
    )
    if topic is None:
        raise TopicNotFoundError(_("Materi pembinaan tidak ditemukan."))
    return topic


def _clean(data: TopicInput, topic_id: int | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name = " ".join((data.name or "").split())
    if not name:
        errors["name"] = _("Nama materi wajib diisi.")
    elif len(name) > NAME_MAX:
        errors["name"] = _("Nama materi terlalu panjang (maksimal %(n)d karakter).", n=NAME_MAX)
    else:
        taken = db.session.scalar(
            select(Topic.id).where(Topic.name_key == fold(name), Topic.id != (topic_id or 0))
        )
        if taken is not None:
            errors["name"] = _("Nama materi ini sudah ada di katalog.")
    description = (data.description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = _(
            "Keterangan terlalu panjang (maksimal %(n)d karakter).", n=DESCRIPTION_MAX
        )
    known = dict(indicator_choices())
    codes = sorted({(c or "").strip().upper() for c in data.codes if (c or "").strip()})
    unknown = [c for c in codes if c not in known]
    if unknown:
        errors["codes"] = _(
            "Indikator tidak dikenal di kerangka penilaian: %(codes)s.", codes=", ".join(unknown)
        )
    elif not codes:
        errors["codes"] = _("Pilih sedikitnya satu indikator yang diperbaiki materi ini.")
    if errors:
        raise CoachingInvalidError(errors)
    return {"name": name, "description": description or None, "indicators": codes}


def _snapshot(topic: Topic) -> dict[str, Any]:
    return {"name": topic.name, "description": topic.description, "indicators": topic.codes}


def _apply(topic: Topic, values: dict[str, Any]) -> None:
    topic.name = values["name"]
    topic.description = values["description"]
    wanted = set(values["indicators"])
    topic.indicators = [link for link in topic.indicators if link.indicator_code in wanted]
    have = set(topic.codes)
    topic.indicators.extend(TopicIndicator(indicator_code=code) for code in sorted(wanted - have))


def create_topic(actor: User | None, data: TopicInput) -> Topic:
    require(actor, MANAGE_COACHING)
    with transaction():
        values = _clean(data, None)
        topic = Topic()
        _apply(topic, values)
        db.session.add(topic)
        db.session.flush()
        audit_writer.record(
            "topic.create",
            "topic",
            topic.id,
            actor,
            params={"name": topic.name},
            changes=audit_writer.created(values),
        )
    return topic


def update_topic(actor: User | None, topic_id: int, data: TopicInput) -> bool:
    """Save the changes; False when nothing changed (and nothing is written)."""
    require(actor, MANAGE_COACHING)
    with transaction():
        topic = get_topic(actor, topic_id)
        values = _clean(data, topic_id)
        before = _snapshot(topic)
        changes = audit_writer.diff(before, values)
        if not changes:
            return False
        _apply(topic, values)
        audit_writer.record(
            "topic.update", "topic", topic.id, actor, params={"name": topic.name}, changes=changes
        )
    return True


def delete_topic(actor: User | None, topic_id: int) -> str:
    """Remove a topic no session has taught (a taught topic stays: its sessions name it).
    Returns its name."""
    require(actor, MANAGE_COACHING)
    with transaction():
        topic = get_topic(actor, topic_id)
        used = db.session.scalar(
            select(func.count())
            .select_from(session_topic)
            .where(session_topic.c.topic_id == topic.id)
        )
        if used:
            raise Invalid(
                _(
                    "Materi %(name)s sudah dipakai %(n)s sesi pembinaan dan tidak dapat dihapus; "
                    "ubah namanya atau indikatornya bila perlu.",
                    name=topic.name,
                    n=used,
                )
            )
        name = topic.name
        audit_writer.record(
            "topic.delete",
            "topic",
            topic.id,
            actor,
            params={"name": name},
            changes=audit_writer.diff(_snapshot(topic), dict.fromkeys(_snapshot(topic))),
        )
        db.session.delete(topic)
    return name


def default_topic_definitions() -> list[dict[str, Any]]:
    """The shipped catalogue: [{name, indicators, description}]."""
    return list(json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))["topics"])


def ensure_default_topics(actor: User | None = None) -> int:
    """Load the shipped catalogue into an empty topic table; returns how many topics were added
    (0 when the office already has a catalogue)."""
    require(actor, MANAGE_COACHING)
    with transaction():
        if db.session.scalar(select(func.count()).select_from(Topic)):
            return 0
        added = 0
        for entry in default_topic_definitions():
            topic = Topic(name=entry["name"], description=entry.get("description"))
            topic.indicators = [TopicIndicator(indicator_code=c) for c in entry["indicators"]]
            db.session.add(topic)
            added += 1
        db.session.flush()
        audit_writer.record("topic.init", "topic", None, actor, params={"count": added})
    return added
