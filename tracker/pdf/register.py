"""The printable register list (agenda surat keluar): A4 landscape, the office's letterhead, one
row per letter. Plain data in, PDF bytes out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.pdf import environment, styles
from tracker.pdf.fetcher import asset_url, make_fetcher, static_url
from tracker.pdf.letter import LOGO_ASSET, OfficeIdentity


@dataclass(frozen=True)
class RegisterRow:
    number: str
    letter_date: date
    kim_name: str
    desa_name: str
    kecamatan_name: str
    period_code: str
    score: float | None
    tier: str
    status: str  # its label: Berlaku / Dicabut
    replaced_by: str = ""


@dataclass(frozen=True)
class RegisterListing:
    office: OfficeIdentity
    printed_on: date
    filter_text: str
    rows: tuple[RegisterRow, ...]
    truncated_at: int | None = None  # the list was cut at this many rows


def render_register(listing: RegisterListing, logo: tuple[bytes, str] | None = None) -> bytes:
    from weasyprint import HTML

    body = (
        environment.get()
        .get_template("register.html")
        .render(
            r=listing,
            logo_url=asset_url(LOGO_ASSET) if logo else None,
        )
    )
    fetcher = make_fetcher({LOGO_ASSET: logo} if logo else {})
    css, fonts = styles.shared()
    with styles.lock:
        return HTML(string=body, base_url=static_url(""), url_fetcher=fetcher).write_pdf(
            stylesheets=[css], font_config=fonts
        )
