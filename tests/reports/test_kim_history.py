"""The history on a KIM's page: every entry about the KIM, worded for the reader with the form's
labels, names and Indonesian dates; never a raw field key or region code."""

from __future__ import annotations

from datetime import datetime

from tests import factories
from tracker.extensions import db
from tracker.services.common import audit_writer


def _history(html: str) -> str:
    return html.split("Riwayat perubahan", 1)[1]


def test_a_kim_page_history_shows_no_raw_keys(client, login_as, regions) -> None:
    admin = login_as("admin")
    kim = factories.kim(regions.desa_a1, name="KIM Sejahtera")
    other = factories.kim(regions.desa_a2, name="KIM Tetangga")
    audit_writer.record(
        "kim.create",
        "kim",
        kim.id,
        None,
        params={"name": "KIM Sejahtera", "row": 3},
        message="kim.create.import",
        changes=audit_writer.created(
            {"name": "KIM Sejahtera", "desa_code": regions.desa_b1, "sk_date": "2024-01-15"}
        ),
    ).at = datetime(2025, 1, 2)
    audit_writer.record(
        "kim.update",
        "kim",
        kim.id,
        admin,
        params={"name": "KIM Sejahtera"},
        changes={
            "desa_code": [regions.desa_b1, regions.desa_a1],
            "sk_date": ["2024-01-15", "2025-03-07"],
            "kimid_number": [None, "KIM-0001"],
            "channels": [[], ["instagram: https://instagram.com/kim"]],
            "status": ["aktif", "nonaktif"],
        },
    ).at = datetime(2025, 3, 7)
    audit_writer.record(
        "kim.update", "kim", other.id, admin, params={"name": "KIM Tetangga"}
    ).at = datetime(2025, 3, 8)
    db.session.commit()

    page = client.get(f"/kim/{kim.id}")
    assert page.status_code == 200
    history = _history(page.text)
    assert "Mengubah KIM KIM Sejahtera" in history
    assert "Menambah KIM KIM Sejahtera (impor baris 3)" in history
    assert "KIM Tetangga" not in history  # another KIM's entry
    assert "<strong>Desa/Kelurahan</strong>: <del>Condro</del> → <ins>Kutorenon</ins>" in history
    assert (
        "<strong>Tanggal SK</strong>: <del>15 Januari 2024</del> → <ins>7 Maret 2025</ins>"
        in history
    )
    assert "<strong>Nomor KIM.id</strong>: <del>—</del> → <ins>KIM-0001</ins>" in history
    assert "<strong>Status</strong>: <del>Aktif</del> → <ins>Nonaktif</ins>" in history
    assert "<strong>Desa/Kelurahan</strong>: Condro" in history  # a created value: no arrow
    for raw in ("desa_code", "sk_date", "kimid_number", "channels", regions.desa_b1, "2025-03-07"):
        assert raw not in history, raw


def test_a_kim_page_charts_its_tiers_and_what_the_next_tier_asks(client, login_as, regions):
    """The tier history (chart and table, oldest to newest in the chart) and the latest
    dimension scores against the next tier: its minimum total and its conditions on dimensions."""
    from tracker.services.rules import frameworks

    fw = frameworks.ensure_default()
    kim = factories.kim(regions.desa_a1, name="KIM Sejahtera")
    for code, tier, score in (("2025-T1", "Rintisan", 35.0), ("2025-T2", "Maju", 72.5)):
        period = factories.make_period(code)
        factories.make_assessment(
            kim,
            period,
            fw,
            score=score,
            tier=tier,
            dimension_scores={"D": 42.0} if code == "2025-T2" else {},
        )
    login_as("viewer")
    page = client.get(f"/kim/{kim.id}").text
    history = page[page.index('id="jenjang"') :]
    assert "<title" in history and "Riwayat jenjang" in history
    chart = history[: history.index("</svg>")]
    assert chart.index("2025-T1") < chart.index("2025-T2")
    assert "Menuju jenjang Mandiri" in history
    assert "Mandiri ≥ 80" in history  # the mark on the score chart
    assert "≥ 50,00" in history  # Mandiri's condition on dimension D, in the table
    assert "42,00" in history and "72,50" in history
