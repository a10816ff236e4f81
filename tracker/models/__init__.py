"""Typed SQLAlchemy models, one module per area. Importing this package registers them all."""

from tracker.models.activity import ContentCount, ContentPost, ContentTotal, Measurement
from tracker.models.assessment import Assessment, InputRevision
from tracker.models.audit import AuditEntry
from tracker.models.coaching import (
    CoachingAttendance,
    CoachingInvitation,
    CoachingMaterial,
    CoachingParticipant,
    CoachingSession,
    Topic,
    TopicIndicator,
)
from tracker.models.framework import Framework
from tracker.models.kim import Kim, KimChannel
from tracker.models.letters import Letter, LetterSequence, OfficeSettings, VerificationHit
from tracker.models.period import Period
from tracker.models.region import Region
from tracker.models.user import LoginAddress, LoginFailure, User, UserScope
from tracker.models.visits import FollowUp, MonitoringVisit, VisitFinding, VisitPhoto

__all__ = [
    "Assessment",
    "AuditEntry",
    "CoachingAttendance",
    "CoachingInvitation",
    "CoachingMaterial",
    "CoachingParticipant",
    "CoachingSession",
    "ContentCount",
    "ContentPost",
    "ContentTotal",
    "FollowUp",
    "Framework",
    "InputRevision",
    "Kim",
    "KimChannel",
    "Letter",
    "LetterSequence",
    "LoginAddress",
    "LoginFailure",
    "Measurement",
    "MonitoringVisit",
    "OfficeSettings",
    "Period",
    "Region",
    "Topic",
    "TopicIndicator",
    "User",
    "UserScope",
    "VerificationHit",
    "VisitFinding",
    "VisitPhoto",
]
