"""Typed SQLAlchemy models, one module per area. Importing this package registers them all."""

from tracker.models.activity import ContentCount, ContentPost, Measurement
from tracker.models.assessment import Assessment, InputRevision
from tracker.models.audit import AuditEntry
from tracker.models.framework import Framework
from tracker.models.kim import Kim, KimChannel
from tracker.models.letters import Letter, LetterSequence, OfficeSettings, VerificationHit
from tracker.models.period import Period
from tracker.models.region import Region
from tracker.models.user import LoginAddress, LoginFailure, User, UserScope

__all__ = [
    "Assessment",
    "AuditEntry",
    "ContentCount",
    "ContentPost",
    "Framework",
    "InputRevision",
    "Kim",
    "KimChannel",
    "Letter",
    "LetterSequence",
    "LoginAddress",
    "LoginFailure",
    "Measurement",
    "OfficeSettings",
    "Period",
    "Region",
    "User",
    "UserScope",
    "VerificationHit",
]
