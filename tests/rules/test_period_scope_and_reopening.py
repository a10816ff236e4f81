"""A period holds for the whole database: adding, closing and reopening one need a kabupaten-wide
scope; reopening a closed period is for an admin only, with a reason the audit log keeps, on the
web and on the command line."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests import factories
from tracker.extensions import db
from tracker.models import AuditEntry, Period
from tracker.models.period import PERIOD_CLOSED, PERIOD_OPEN
from tracker.services.common.permissions import PermissionDenied
from tracker.services.rules import periods

REASON = "Data pengukuran Kecamatan Sukodono terlambat masuk."


def _state(code: str = "2025-T1") -> str | None:
    db.session.expire_all()
    return db.session.scalar(select(Period.state).where(Period.code == code))


def _audit() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


# --- kabupaten-wide scope ----------------------------------------------------------------------


def test_a_kecamatan_scoped_kabid_cannot_add_or_close_periods(client, login_as, regions):
    factories.make_period("2025-T1")
    login_as("kabid", scope=[regions.kec_a])
    assert client.post("/periode/tambah", data={"code": "2025-T2"}).status_code == 403
    assert client.post("/periode/2025-T1/tutup").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Period)) == 1
    assert _state() == PERIOD_OPEN
    assert _audit() == []
    page = client.get("/periode/").text  # and he is not offered the buttons
    assert "Tambah periode" not in page and "/tutup" not in page


def test_a_kabupaten_kabid_closes_but_cannot_reopen(client, login_as, regions):
    factories.make_period("2025-T1")
    login_as("kabid", scope=[regions.kabupaten])
    assert client.post("/periode/2025-T1/tutup").status_code == 302
    assert _state() == PERIOD_CLOSED
    assert "/buka-kembali" not in client.get("/periode/").text
    assert client.get("/periode/2025-T1/buka-kembali").status_code == 403
    response = client.post("/periode/2025-T1/buka-kembali", data={"reason": REASON})
    assert response.status_code == 403
    assert _state() == PERIOD_CLOSED


def test_a_province_scope_counts_as_kabupaten_wide(app, regions):
    admin = factories.user("admin", scope=[regions.provinsi], username="provinsi")
    assert periods.add_period("2025-T1", admin).code == "2025-T1"


def test_the_services_check_the_scope_themselves(app, regions):
    kabid = factories.user("kabid", scope=[regions.kec_a, regions.kec_b], username="dua.kec")
    admin = factories.user("admin", scope=[regions.kec_a], username="admin.kec")
    factories.make_period("2025-T1", state="closed")
    with pytest.raises(PermissionDenied):
        periods.add_period("2025-T2", kabid)
    with pytest.raises(PermissionDenied):
        periods.close_period("2025-T1", kabid)
    with pytest.raises(PermissionDenied):
        periods.reopen_period("2025-T1", REASON, admin)
    assert _state() == PERIOD_CLOSED
    assert _audit() == []


# --- reopening ---------------------------------------------------------------------------------


def test_admin_reopens_a_closed_period_with_a_reason(client, login_as, regions):
    factories.make_period("2025-T1", state="closed")
    admin = login_as("admin")
    page = client.get("/periode/").text
    assert "/periode/2025-T1/buka-kembali" in page
    form = client.get("/periode/2025-T1/buka-kembali")
    assert form.status_code == 200 and "Alasan membuka kembali" in form.text
    response = client.post("/periode/2025-T1/buka-kembali", data={"reason": f"  {REASON} "})
    assert response.status_code == 302
    assert "Periode 2025-T1 dibuka kembali" in client.get("/periode/").text
    assert _state() == PERIOD_OPEN
    period = db.session.scalar(select(Period))
    assert period is not None and period.closed_at is None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "period.reopen"))
    assert entry is not None and entry.user_id == admin.id
    assert entry.entity_id == str(period.id)
    assert entry.changes == {"state": ["closed", "open"]}
    assert entry.params == {"period": "2025-T1", "reason": REASON}
    assert periods.get_open_period("2025-T1").code == "2025-T1"  # data may be written again


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Tuliskan alasan"),
        ("   ", "Tuliskan alasan"),
        ("x" * 501, "Alasan maksimal 500 karakter."),
    ],
)
def test_reopening_without_a_usable_reason_is_refused(client, login_as, reason, message):
    factories.make_period("2025-T1", state="closed")
    login_as("admin")
    response = client.post("/periode/2025-T1/buka-kembali", data={"reason": reason})
    assert response.status_code == 400
    assert message in response.text
    assert _state() == PERIOD_CLOSED
    assert _audit() == []


def test_reopening_an_open_or_unknown_period(client, login_as):
    factories.make_period("2025-T1")
    login_as("admin")
    response = client.post("/periode/2025-T1/buka-kembali", data={"reason": REASON})
    assert response.status_code == 400
    assert "tidak sedang ditutup" in response.text
    assert client.get("/periode/2031-T1/buka-kembali").status_code == 404
    assert client.post("/periode/2031-T1/buka-kembali", data={"reason": REASON}).status_code == 404
    assert _audit() == []


def test_reopening_needs_the_csrf_token_when_enabled(app, client, login_as):
    factories.make_period("2025-T1", state="closed")
    login_as("admin")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/periode/2025-T1/buka-kembali", data={"reason": REASON}).status_code == 400
    assert _state() == PERIOD_CLOSED


def test_cli_reopen_needs_a_reason_and_is_audited(runner):
    factories.make_period("2025-T1", state="closed")
    missing = runner.invoke(args=["period", "reopen", "2025-T1"])
    assert missing.exit_code == 2 and "--reason" in missing.output
    blank = runner.invoke(args=["period", "reopen", "2025-T1", "--reason", " "])
    assert blank.exit_code == 1 and "Tuliskan alasan" in blank.output
    assert _state() == PERIOD_CLOSED

    result = runner.invoke(args=["period", "reopen", "2025-t1", "--reason", REASON])
    assert result.exit_code == 0, result.output
    assert "Periode 2025-T1 dibuka kembali." in result.output
    assert _state() == PERIOD_OPEN
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "period.reopen"))
    assert entry is not None and entry.user_id is None and entry.params["reason"] == REASON

    again = runner.invoke(args=["period", "reopen", "2025-T1", "--reason", REASON])
    assert again.exit_code == 1 and "tidak sedang ditutup" in again.output
    unknown = runner.invoke(args=["period", "reopen", "2031-T1", "--reason", REASON])
    assert unknown.exit_code == 1 and "tidak ditemukan" in unknown.output
