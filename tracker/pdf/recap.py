"""The district recap report (Laporan Hasil Evaluasi KIM) of a period: its data and its PDF.

Laid out as a report to the head of the region in the order the PermenPANRB report layout gives
(I Pendahuluan, II Kegiatan yang dilaksanakan, III Hasil yang dicapai, IV Simpulan dan saran,
V Penutup), on the office's letterhead, numbered from the letter register and signed like the
letters (signature block, QR code to the verification page, an electronic signature when the
office has a certificate). Plain data in, bytes out.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

from markupsafe import Markup

from tracker.pdf import environment, qr
from tracker.pdf.fetcher import asset_url
from tracker.pdf.letter import (
    LOGO_ASSET,
    SIGNATURE_ANCHOR,
    OfficeIdentity,
    RenderedLetter,
    Signatory,
    jsonable,
    render_document,
)

TITLE = "Laporan Hasil Evaluasi Kelompok Informasi Masyarakat"


@dataclass(frozen=True)
class KecamatanTiers:
    name: str
    counts: tuple[int, ...]  # per tier, in the framework's order

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Move:
    kim_name: str
    desa_name: str
    before: str
    after: str
    score: float


@dataclass(frozen=True)
class RecapData:
    office: OfficeIdentity
    signatory: Signatory
    letter_date: date
    period_code: str
    period_label: str  # Triwulan I Tahun 2025
    period_start: date
    period_end: date
    framework_version: int
    tier_names: tuple[str, ...]
    tier_counts: tuple[int, ...]
    kecamatan: tuple[KecamatanTiers, ...]
    kims_registered: int  # active KIMs in the region
    average_score: float | None
    letters_issued: int  # evaluation letters in force for the period
    previous_label: str | None  # the previous period, when it was assessed
    moved_up: int
    moved_down: int
    movers_up: tuple[Move, ...]
    movers_down: tuple[Move, ...]
    conclusions: tuple[str, ...]
    suggestions: tuple[str, ...]
    chart_svg: str = ""  # tracker.charts.bars.stacked_bars, drawn by the service
    tembusan: tuple[str, ...] = ()
    number: str | None = None
    token: str | None = None
    verify_url: str | None = None
    signed: bool = False

    @property
    def assessed(self) -> int:
        return sum(self.tier_counts)

    def issued(self, number: str, token: str, verify_url: str, signed: bool) -> RecapData:
        return dataclasses.replace(
            self, number=number, token=token, verify_url=verify_url, signed=signed
        )

    def to_json(self) -> dict[str, Any]:
        return jsonable(dataclasses.asdict(self))


def recap_document(data: RecapData, logo_url: str | None) -> str:
    qr_svg = Markup(qr.svg(data.verify_url)) if data.verify_url else None
    sheets = Markup(
        environment.get()
        .get_template("recap_sheets.html")
        .render(
            d=data,
            logo_url=logo_url,
            qr_svg=qr_svg,
            anchor=SIGNATURE_ANCHOR,
            chart_svg=Markup(data.chart_svg) if data.chart_svg else None,
            title=TITLE,
        )
    )
    return (
        environment.get()
        .get_template("letter.html")
        .render(sheets=sheets, title=f"{TITLE} {data.period_label}")
    )


def render_recap(data: RecapData, logo: tuple[bytes, str] | None = None) -> RenderedLetter:
    """The report as PDF/A-3b bytes, with where its signature block lies."""
    return render_document(recap_document(data, asset_url(LOGO_ASSET) if logo else None), logo)
