"""Revoking and re-issuing: an issued letter is never edited or deleted, the replacement takes a
new number, a number is never reused, and a failed re-issue leaves the old letter in force."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.letters.conftest import Ready
from tracker.extensions import db
from tracker.models import AuditEntry, Letter
from tracker.models.letters import LETTER_ISSUED, LETTER_REVOKED
from tracker.pdf import letter as letter_pdf
from tracker.services.common.errors import Invalid
from tracker.services.letters import archive, issue, revoke


def test_revoke_and_reissue_under_a_new_number(ready: Ready, fast_render):
    old = issue.issue_letter(None, "2025-T1", ready.kim.id)
    before = (old.number, old.pdf_sha256, dict(old.content), archive.read(old.pdf_path))
    done = revoke.revoke(None, old.id, "Nama ketua salah tulis", reissue=True)
    new = done.replacement
    assert new is not None
    assert new.number == "400.14/002/DISKOMINFO/2025" and new.replaces_id == old.id
    assert letter_pdf.LetterData.from_json(new.content).replaces_number == old.number
    db.session.expire_all()
    old = db.session.get(Letter, old.id)
    assert old.status == LETTER_REVOKED and old.revoke_reason == "Nama ketua salah tulis"
    # the revoked letter itself is as it was issued
    assert (old.number, old.pdf_sha256, old.content, archive.read(old.pdf_path)) == before
    actions = db.session.scalars(select(AuditEntry.message).order_by(AuditEntry.id)).all()
    assert actions[-3:] == ["letter.issue", "letter.revoke", "letter.reissue"]


def test_a_revoked_number_is_never_reused(ready: Ready, regions, fast_render):
    (other,), _period = factories.assessed_kims(regions.desa_a2)
    first = issue.issue_letter(None, "2025-T1", ready.kim.id)
    revoke.revoke(None, first.id, "Salah periode penilaian")
    second = issue.issue_letter(None, "2025-T1", other.id)
    third = issue.issue_letter(None, "2025-T1", ready.kim.id)  # the revoked one frees its KIM
    numbers = [first.number, second.number, third.number]
    assert [n.split("/")[1] for n in numbers] == ["001", "002", "003"]


def test_a_failed_reissue_leaves_the_old_letter_in_force(ready: Ready, monkeypatch, fast_render):
    old = issue.issue_letter(None, "2025-T1", ready.kim.id)

    def broken(data, logo=None, chart_svg=None):  # type: ignore[no-untyped-def]
        raise RuntimeError("render failed")

    monkeypatch.setattr(letter_pdf, "render_letter", broken)
    with pytest.raises(RuntimeError):
        revoke.revoke(None, old.id, "Nama ketua salah tulis", reissue=True)
    db.session.expire_all()
    assert db.session.get(Letter, old.id).status == LETTER_ISSUED
    assert db.session.scalar(select(func.count()).select_from(Letter)) == 1
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "letter.revoke")
        )
        == 0
    )


def test_a_reason_is_required_and_a_letter_is_revoked_once(ready: Ready, fast_render):
    letter = issue.issue_letter(None, "2025-T1", ready.kim.id)
    with pytest.raises(Invalid) as refused:
        revoke.revoke(None, letter.id, "  ")
    assert refused.value.field == "reason"
    revoke.revoke(None, letter.id, "Salah kirim alamat")
    with pytest.raises(Invalid) as again:
        revoke.revoke(None, letter.id, "Salah kirim alamat")
    assert "sudah dicabut" in again.value.message


def test_revoking_on_the_web_with_reissue(client, login_as, ready: Ready, fast_render):
    old = issue.issue_letter(None, "2025-T1", ready.kim.id)
    login_as("kabid")
    response = client.post(
        f"/surat/{old.id}/cabut", data={"reason": "Skor salah ketik", "reissue": "y"}
    )
    new = db.session.scalar(select(Letter).where(Letter.replaces_id == old.id))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/surat/{new.id}")
    page = client.get(f"/surat/{old.id}").get_data(as_text=True)
    assert "Skor salah ketik" in page and new.number in page


def test_revoking_needs_the_issuing_role(client, login_as, ready: Ready, fast_render):
    letter = issue.issue_letter(None, "2025-T1", ready.kim.id)
    login_as("petugas")
    response = client.post(f"/surat/{letter.id}/cabut", data={"reason": "Salah ketik nama"})
    assert response.status_code == 403
    assert db.session.get(Letter, letter.id).status == LETTER_ISSUED


def test_a_short_reason_on_the_web_keeps_the_letter(client, login_as, ready: Ready, fast_render):
    letter = issue.issue_letter(None, "2025-T1", ready.kim.id)
    login_as("admin")
    response = client.post(f"/surat/{letter.id}/cabut", data={"reason": "x"})
    assert response.status_code == 422
    assert "sekurang-kurangnya 5 karakter" in response.get_data(as_text=True)
    assert db.session.get(Letter, letter.id).status == LETTER_ISSUED
