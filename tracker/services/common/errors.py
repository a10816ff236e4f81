"""The one error vocabulary of the services, whatever the domain.

A service refuses with one of four kinds; the web maps each kind to one HTTP status once
(`tracker.web.common.errors`, and the JSON API the same way), the command line prints the message
and exits 1. Domain errors subclass these (a KIM not found is a NotFound), so a view never needs
its own try/except to pick a status; it catches a kind only to re-show a form with the message.

    NotFound   → 404  the object does not exist, or lies outside the actor's region scope
    Invalid    → 422  the input was refused; nothing was written; `field` names the form field
    Stale      → 409  someone else changed the object since it was read (optimistic lock)
    Forbidden  → 403  the actor's role may not do this
"""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every refusal a service raises on purpose. `message` is for the user (already
    translated into the request's language when raised inside a request)."""

    status = 400

    def __init__(self, message: str = "", field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message or super().__str__()


class NotFound(ServiceError):  # noqa: N818 - reads as the status it becomes
    status = 404


class Invalid(ServiceError):  # noqa: N818
    status = 422


class Stale(ServiceError):  # noqa: N818
    status = 409


class Forbidden(ServiceError):  # noqa: N818
    status = 403


class InvalidFields(Invalid):
    """A form's input was refused field by field; `errors` maps each form field's name to its
    message (the first names `field`), so a view puts every message beside its field at once."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()), next(iter(errors), None))
        self.errors = errors
