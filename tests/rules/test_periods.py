"""Periods: dates from codes, duplicates refused, closing, the list page and its permissions."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests import factories
from tracker.extensions import db
from tracker.models import AuditEntry, Period
from tracker.models.period import PERIOD_CLOSED
from tracker.services.rules import periods


@pytest.mark.parametrize(
    ("code", "kind", "start", "end", "days"),
    [
        ("2025-T1", "triwulan", date(2025, 1, 1), date(2025, 3, 31), 90),
        ("2024-T1", "triwulan", date(2024, 1, 1), date(2024, 3, 31), 91),  # 29 Februari
        ("2025-T4", "triwulan", date(2025, 10, 1), date(2025, 12, 31), 92),
        ("2025-S2", "semester", date(2025, 7, 1), date(2025, 12, 31), 184),
        ("2024-S1", "semester", date(2024, 1, 1), date(2024, 6, 30), 182),
        ("2025", "tahun", date(2025, 1, 1), date(2025, 12, 31), 365),
    ],
)
def test_add_period_derives_dates_from_code(app, code, kind, start, end, days):
    period = periods.add_period(code, None)
    assert (period.code, period.kind, period.start_date, period.end_date) == (
        code,
        kind,
        start,
        end,
    )
    assert (period.end_date - period.start_date).days + 1 == days
    assert period.state == "open"


def test_code_is_normalised_and_bad_code_refused(app):
    assert periods.add_period(" 2025-t2 ", None).code == "2025-T2"
    with pytest.raises(periods.PeriodError, match="Triwulan harus 1–4"):
        periods.add_period("2025-T5", None)
    with pytest.raises(periods.PeriodError, match="tidak dikenal"):
        periods.add_period("triwulan satu", None)
    assert db.session.scalar(select(func.count()).select_from(Period)) == 1


def test_duplicate_period_refused(app):
    periods.add_period("2025-T1", None)
    with pytest.raises(periods.PeriodError, match="Periode 2025-T1 sudah ada"):
        periods.add_period("2025-t1", None)
    assert db.session.scalar(select(func.count()).select_from(Period)) == 1


def test_close_period_once_and_audited(app):
    periods.add_period("2025-T1", None)
    closed = periods.close_period("2025-T1", None)
    assert closed.state == PERIOD_CLOSED and closed.closed_at is not None
    with pytest.raises(periods.PeriodError, match="sudah ditutup"):
        periods.close_period("2025-T1", None)
    with pytest.raises(periods.PeriodNotFoundError):
        periods.close_period("2030-T1", None)
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["period.create", "period.close"]


def test_closed_period_refuses_writes(app):
    factories.make_period("2025-T1", state="closed")
    with pytest.raises(periods.PeriodClosedError, match="sudah ditutup"):
        periods.get_open_period("2025-T1")
    with pytest.raises(periods.PeriodError, match="belum ada"):
        periods.get_open_period("2025-T2")


# --- CLI --------------------------------------------------------------------------------------


def test_cli_add_list_close(runner):
    result = runner.invoke(args=["period", "add", "2025-T1"])
    assert result.exit_code == 0, result.output
    assert "1 Januari 2025 – 31 Maret 2025" in result.output

    duplicate = runner.invoke(args=["period", "add", "2025-T1"])
    assert duplicate.exit_code == 1
    assert "sudah ada" in duplicate.output

    bad = runner.invoke(args=["period", "add", "2025-X1"])
    assert bad.exit_code == 1

    listed = runner.invoke(args=["period", "list"])
    assert listed.exit_code == 0
    assert "2025-T1" in listed.output and "Terbuka" in listed.output

    closed = runner.invoke(args=["period", "close", "2025-T1"])
    assert closed.exit_code == 0, closed.output
    assert runner.invoke(args=["period", "close", "2025-T1"]).exit_code == 1
    assert runner.invoke(args=["period", "close", "2031-T1"]).exit_code == 1
    assert "Ditutup" in runner.invoke(args=["period", "list"]).output


# --- pages ------------------------------------------------------------------------------------


def test_list_page_shows_dates_state_and_assessed_count(client, login_as, regions):
    login_as("viewer")
    p1 = factories.make_period("2025-T1")
    factories.make_period("2024-T4", state="closed")
    fw = factories.make_framework()
    for _ in range(2):
        factories.make_assessment(factories.kim(regions.desa_a1), p1, fw)

    page = client.get("/periode/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "1 Januari 2025 – 31 Maret 2025" in html
    assert "1 Oktober 2024 – 31 Desember 2024" in html
    assert "Terbuka" in html and "Ditutup" in html
    assert 'data-label="KIM dinilai">2</td>' in html
    assert "/penilaian/" in html  # link to the period overview
    # a viewer gets neither the add form nor the close button
    assert "Tambah periode" not in html and "/tutup" not in html


def test_petugas_cannot_add_or_close(client, login_as):
    factories.make_period("2025-T1")
    login_as("petugas")
    assert client.post("/periode/tambah", data={"code": "2025-T2"}).status_code == 403
    assert client.post("/periode/2025-T1/tutup").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Period)) == 1
    assert db.session.scalar(select(Period.state)) == "open"


def test_kabid_adds_and_closes_on_the_web(client, login_as):
    login_as("kabid")
    response = client.post("/periode/tambah", data={"code": "2025-t3"}, follow_redirects=True)
    assert response.status_code == 200
    assert "Periode 2025-T3 ditambahkan" in response.get_data(as_text=True)

    again = client.post("/periode/tambah", data={"code": "2025-T3"})
    assert again.status_code == 422
    assert "Periode 2025-T3 sudah ada" in again.get_data(as_text=True)

    bad = client.post("/periode/tambah", data={"code": "2025-Q9"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "tidak dikenal" in html and 'value="2025-Q9"' in html  # what was typed is kept

    page = client.get("/periode/").get_data(as_text=True)
    assert "Tutup periode 2025-T3?" in page  # confirmation before closing

    closed = client.post("/periode/2025-T3/tutup", follow_redirects=True)
    assert "Periode 2025-T3 ditutup" in closed.get_data(as_text=True)
    assert db.session.scalar(select(Period.state)) == "closed"
    assert client.post("/periode/2099-T1/tutup").status_code == 404
    audit = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert audit == ["period.create", "period.close"]


def test_close_needs_csrf_token_when_enabled(app, client, login_as):
    factories.make_period("2025-T1")
    login_as("admin")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/periode/2025-T1/tutup").status_code == 400
    assert db.session.scalar(select(Period.state)) == "open"


def test_writing_into_a_malformed_period_code_explains_the_code_format(app) -> None:
    from tracker.services.rules.periods import PeriodError, get_open_period

    with pytest.raises(PeriodError) as refused:
        get_open_period("zz")
    assert "tidak dikenal" in str(refused.value)
    assert "period add" not in str(refused.value)
