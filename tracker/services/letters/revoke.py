"""Revoking a letter, and re-issuing it under a new number.

An issued letter is never edited or deleted. A mistake is corrected by revoking it (with the
reason, who and when: the verification page then says "dicabut") and, usually in the same step,
issuing its replacement under the next number; the replacement names the letter it replaces, and
the verification page of the old one names the new number. Revoke and re-issue are one unit of
work: if the new letter cannot be issued (its render fails, the KIM's data changed since the
assessment) the old one stays in force.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import update

from tracker.extensions import db
from tracker.models import Kim
from tracker.models.base import utcnow
from tracker.models.letters import LETTER_ISSUED, LETTER_REVOKED, Letter
from tracker.models.user import User
from tracker.services.common import audit_writer
from tracker.services.common.errors import Invalid, Stale
from tracker.services.common.permissions import ISSUE_LETTERS, require
from tracker.services.common.unit_of_work import transaction
from tracker.services.letters.issue import issue_letter
from tracker.services.letters.register import get_letter

MAX_REASON = 500


@dataclass(frozen=True)
class Revocation:
    revoked: Letter
    replacement: Letter | None


def _reason(text: str) -> str:
    reason = " ".join((text or "").split())
    if len(reason) < 5:
        raise Invalid(_("Tuliskan alasan pencabutan (sekurang-kurangnya 5 karakter)."), "reason")
    if len(reason) > MAX_REASON:
        raise Invalid(_("Alasan paling panjang %(n)s karakter.", n=MAX_REASON), "reason")
    return reason


def revoke(actor: User | None, letter_id: int, reason: str, *, reissue: bool = False) -> Revocation:
    """Revoke a letter in force (in the actor's scope); with `reissue`, issue its replacement
    for the same KIM and period in the same unit of work."""
    require(actor, ISSUE_LETTERS)
    reason = _reason(reason)
    letter = get_letter(actor, letter_id)
    if not letter.in_force:
        raise Invalid(_("Surat %(number)s sudah dicabut.", number=letter.number))
    replacement = None
    with transaction():
        # conditional: of two revocations sent at once, the second finds it revoked
        changed = db.session.execute(
            update(Letter)
            .where(Letter.id == letter.id, Letter.status == LETTER_ISSUED)
            .values(
                status=LETTER_REVOKED,
                revoked_at=utcnow(),
                revoked_by_id=actor.id if actor is not None else None,
                revoke_reason=reason,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed != 1:
            raise Stale(_("Surat %(number)s baru saja dicabut orang lain.", number=letter.number))
        db.session.refresh(letter)
        audit_writer.record(
            "letter.revoke",
            "letter",
            letter.id,
            actor,
            params={"number": letter.number, "name": letter.kim_name, "reason": reason},
            changes={"status": [LETTER_ISSUED, LETTER_REVOKED]},
            kim=db.session.get(Kim, letter.kim_id) if letter.kim_id is not None else None,
            region=letter.region_code,
        )
        if reissue:
            if letter.kim_id is None or not letter.period_code:
                raise Invalid(_("Surat ini tidak dapat diterbitkan ulang dari sini."))
            replacement = issue_letter(actor, letter.period_code, letter.kim_id, replaces=letter)
    return Revocation(letter, replacement)
