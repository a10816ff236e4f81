"""The printed daftar hadir of a coaching session: A4, the office's letterhead, the session's
details, then one row per invited KIM with room for its participants' names and signatures (the
names already recorded printed in), the guests, and a few blank rows for whoever else comes.
Plain data in, PDF bytes out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.pdf import environment, styles
from tracker.pdf.fetcher import asset_url, make_fetcher, static_url
from tracker.pdf.letter import LOGO_ASSET, OfficeIdentity

BLANK_ROWS = 3  # unnumbered rows at the end, for participants nobody invited


@dataclass(frozen=True)
class AttendanceLine:
    kim_name: str
    kimid_number: str
    desa: str
    kecamatan: str
    names: tuple[str, ...] = ()  # recorded already (a sheet printed after the session)


@dataclass(frozen=True)
class GuestLine:
    name: str
    position: str = ""
    affiliation: str = ""


@dataclass(frozen=True)
class AttendancePrint:
    office: OfficeIdentity
    title: str
    start_date: date
    end_date: date
    location: str
    organiser: str
    speakers: tuple[str, ...]
    jp: int | None
    topics: tuple[str, ...]
    lines: tuple[AttendanceLine, ...]
    guests: tuple[GuestLine, ...] = ()


def render_attendance(sheet: AttendancePrint, logo: tuple[bytes, str] | None = None) -> bytes:
    from weasyprint import HTML

    body = (
        environment.get()
        .get_template("attendance.html")
        .render(s=sheet, blank_rows=BLANK_ROWS, logo_url=asset_url(LOGO_ASSET) if logo else None)
    )
    fetcher = make_fetcher({LOGO_ASSET: logo} if logo else {})
    css, fonts = styles.shared()
    with styles.lock:
        return HTML(string=body, base_url=static_url(""), url_fetcher=fetcher).write_pdf(
            stylesheets=[css], font_config=fonts
        )
