"""The refusals of the coaching forms: every failing field at once, each with its message."""

from __future__ import annotations

from tracker.services.common.errors import Invalid, NotFound


class CoachingInvalidError(Invalid):
    """The input was refused; `errors` maps a form field to its Indonesian message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()), next(iter(errors), None))
        self.errors = errors


class TopicNotFoundError(NotFound):
    """No such topic."""


class SessionNotFoundError(NotFound):
    """No such session, or one the user's scope does not reach (the same thing to him)."""
