"""Coaching: topics, sessions with invited KIMs, and attendance (as the service writes them)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from tracker.extensions import db
from tracker.models import (
    CoachingAttendance,
    CoachingInvitation,
    CoachingParticipant,
    CoachingSession,
    Kim,
    Topic,
    TopicIndicator,
)


def make_topic(name: str = "Menulis berita", codes: Sequence[str] = ("W1",)) -> Topic:
    topic = Topic(name=name, description=f"Materi {name}")
    topic.indicators = [TopicIndicator(indicator_code=c) for c in codes]
    db.session.add(topic)
    db.session.commit()
    return topic


def make_session(
    title: str = "Pelatihan Menulis Berita",
    start: date = date(2025, 2, 10),
    invited: Iterable[Kim] = (),
    topics: Iterable[Topic] = (),
    region: str = "35.08",
    days: int = 1,
    attended: Iterable[Kim] = (),
) -> CoachingSession:
    """A session held for `region`, inviting `invited` (and `attended`, who came: one named
    participant each)."""
    session = CoachingSession(
        title=title,
        start_date=start,
        end_date=start + timedelta(days=days - 1),
        location="Aula Diskominfo",
        region_code=region,
    )
    session.topics = list(topics)
    db.session.add(session)
    db.session.flush()
    came = list(attended)
    for kim in {k.id: k for k in [*invited, *came]}.values():
        db.session.add(CoachingInvitation(session_id=session.id, kim_id=kim.id))
    for kim in came:
        db.session.add(
            CoachingAttendance(session_id=session.id, kim_id=kim.id, participant_count=1)
        )
        db.session.add(
            CoachingParticipant(session_id=session.id, kim_id=kim.id, name=f"Peserta {kim.name}")
        )
    db.session.commit()
    return session
