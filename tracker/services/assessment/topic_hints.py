"""The training topics a roadmap step names: from the office's topic catalogue (materi pembinaan,
edited on /pembinaan/materi), one query.

The rule: an indicator shows every catalogue topic linked to it, by name in alphabetical order,
joined with ", " ("Desain grafis, Manajemen media sosial, Video pendek" for M2). An indicator no
topic of the catalogue covers shows the framework's own hint (`framework_topics`), so a step is
never left without advice (e.g. P1 "Mengikuti bimbingan teknis KIM"). It lives in the assessment
domain, below coaching, because the assessment pages and export use it; the catalogue's writes
are coaching's (`tracker.services.coaching.topics`).
"""

from __future__ import annotations

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Topic, TopicIndicator
from tracker.scoring.framework import Framework
from tracker.scoring.roadmap import framework_topics

SEPARATOR = ", "


def catalogue_topics() -> dict[str, list[str]]:
    """Indicator code → names of the catalogue topics linked to it, alphabetical."""
    rows = db.session.execute(
        select(TopicIndicator.indicator_code, Topic.name)
        .join(Topic, Topic.id == TopicIndicator.topic_id)
        .order_by(TopicIndicator.indicator_code, Topic.name_key, Topic.id)
    )
    found: dict[str, list[str]] = {}
    for code, name in rows:
        found.setdefault(code, []).append(name)
    return found


def topic_hints(fw: Framework) -> dict[str, str]:
    """Indicator code → the topic text a roadmap step shows (the module docstring's rule)."""
    hints = framework_topics(fw)
    for code, names in catalogue_topics().items():
        if code in fw.indicators:
            hints[code] = SEPARATOR.join(names)
    return hints
