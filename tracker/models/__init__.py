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
from tracker.models.harvest import HarvestState
from tracker.models.kim import Kim, KimChannel
from tracker.models.letters import (
    Letter,
    LetterBatch,
    LetterBatchItem,
    LetterSequence,
    OfficeSettings,
    VerificationHit,
)
from tracker.models.notifications import Notification, NotificationMute
from tracker.models.period import Period
from tracker.models.region import Region
from tracker.models.scheduler import JobRequest, JobRun, SchedulerLease
from tracker.models.user import ApiToken, LoginAddress, LoginFailure, User, UserScope
from tracker.models.visits import FollowUp, MonitoringVisit, VisitFinding, VisitPhoto

__all__ = [
    "ApiToken",
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
    "HarvestState",
    "InputRevision",
    "JobRequest",
    "JobRun",
    "Kim",
    "KimChannel",
    "Letter",
    "LetterBatch",
    "LetterBatchItem",
    "LetterSequence",
    "LoginAddress",
    "LoginFailure",
    "Measurement",
    "MonitoringVisit",
    "Notification",
    "NotificationMute",
    "OfficeSettings",
    "Period",
    "Region",
    "SchedulerLease",
    "Topic",
    "TopicIndicator",
    "User",
    "UserScope",
    "VerificationHit",
    "VisitFinding",
    "VisitPhoto",
]
