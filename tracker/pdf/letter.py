"""The evaluation letter (Surat Hasil Evaluasi KIM): its data, its HTML and its PDF.

`LetterData` holds everything the letter prints, frozen: the office identity and signatory as
they were when it was issued, the KIM and its place, the assessment (score per dimension, every
indicator, tier) and the roadmap's plan with its training topics. The services build it from the
database and store it with the letter (`to_json`/`from_json`), so an archived letter can always
be explained from its own record; this module only turns it into HTML (the preview) and a PDF.

`render_letter` renders once, A4, PDF/A-3b, with the bundled fonts (static/fonts) and nothing
fetched from outside the app (`fetcher`). It also reports where the signature block lies on
page 1, so that an electronic signature's visible field can be placed over it
(`signature.sign_pdf`). Cost: DESIGN.md §5 (a two-page letter is about half a second of one
core); docs/letters.md has the figures measured on this machine.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from markupsafe import Markup

from tracker.pdf import environment, qr, styles
from tracker.pdf.fetcher import asset_url, make_fetcher, static_url

PDF_VARIANT = "pdf/a-3b"
LOGO_ASSET = "logo"
SIGNATURE_ANCHOR = "tanda-tangan"

SIGN_PLAIN = ""  # the signatory signs in his own office
SIGN_ON_BEHALF = "an"  # atas nama: for the head of the office
SIGN_ACTING = "plt"  # pelaksana tugas: acting head
SIGN_MODES = (SIGN_PLAIN, SIGN_ON_BEHALF, SIGN_ACTING)

GOAL_NEXT = "next"
GOAL_KEEP = "keep"
GOAL_TOP = "top"


@dataclass(frozen=True)
class OfficeIdentity:
    """The letterhead and the place of the date line."""

    government: str  # PEMERINTAH KABUPATEN LUMAJANG
    agency: str  # DINAS KOMUNIKASI DAN INFORMATIKA
    address: str = ""
    phone: str = ""
    website: str = ""
    email: str = ""
    place: str = ""  # Lumajang (the date line: "Lumajang, 7 Maret 2025")
    region_name: str = ""  # Kabupaten Lumajang (the body's "di Kabupaten Lumajang")


@dataclass(frozen=True)
class Signatory:
    title: str  # jabatan: Kepala Dinas Komunikasi dan Informatika
    name: str  # with gelar
    rank: str = ""  # pangkat/golongan: Pembina Utama Muda (IV/c)
    nip: str = ""  # 18 digits
    mode: str = SIGN_PLAIN  # "", "an" (atas nama) or "plt" (pelaksana tugas)
    principal: str = ""  # with "an": the jabatan signed for (Kepala Dinas …)

    @property
    def heading(self) -> list[str]:
        """The lines above the signature: "a.n. Kepala Dinas …", then the signer's jabatan."""
        if self.mode == SIGN_ON_BEHALF and self.principal:
            return [f"a.n. {self.principal}", f"{self.title},"]
        if self.mode == SIGN_ACTING:
            return [f"Plt. {self.title},"]
        return [f"{self.title},"]


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit: str
    weight: float
    gate: bool
    value: float | None
    score: float | None
    missing: bool
    passed: bool | None = None  # gates: "ya"


@dataclass(frozen=True)
class Dimension:
    code: str
    name: str
    weight: float
    score: float | None
    indicators: tuple[Indicator, ...] = ()


@dataclass(frozen=True)
class PlanStep:
    code: str
    name: str
    unit: str
    gate: bool
    higher_is_better: bool
    current_value: float | None
    target_value: float
    gain_points: float
    topic: str


@dataclass(frozen=True)
class Plan:
    """The roadmap to the next tier (tracker.scoring.roadmap.Roadmap, the parts a letter says)."""

    goal: str  # next | keep | top
    tier: str
    raw_tier: str
    target_tier: str | None
    target_minimum: float
    points_missing: float
    reachable: bool
    plan_gain: float
    planned_score: float
    steps: tuple[PlanStep, ...] = ()
    failed_conditions: tuple[str, ...] = ()
    unreachable: tuple[str, ...] = ()


@dataclass(frozen=True)
class TierBand:
    name: str
    minimum: float


@dataclass(frozen=True)
class LetterData:
    """Everything one letter prints. `number`, `token` and `verify_url` are None in a preview."""

    office: OfficeIdentity
    signatory: Signatory
    letter_date: date
    kim_name: str
    desa_name: str
    desa_kind: str  # desa | kelurahan
    kecamatan_name: str
    period_code: str
    period_label: str  # Triwulan I Tahun 2025
    period_start: date
    period_end: date
    framework_version: int
    score: float
    tier: str
    raw_tier: str
    reason: str
    dimensions: tuple[Dimension, ...]
    tiers: tuple[TierBand, ...]
    plan: Plan
    gaps: tuple[str, ...] = ()
    tembusan: tuple[str, ...] = ()
    number: str | None = None
    token: str | None = None
    verify_url: str | None = None
    signed: bool = False  # an electronic signature is applied after rendering
    replaces_number: str | None = None  # a re-issued letter names the one it replaces
    sifat: str = "Biasa"
    attachments: int = 1  # lembar

    @property
    def is_preview(self) -> bool:
        return self.number is None

    def issued(
        self, number: str, token: str, verify_url: str, signed: bool, **changes: Any
    ) -> LetterData:
        """The same letter with its number and verification link (at issue)."""
        return dataclasses.replace(
            self, number=number, token=token, verify_url=verify_url, signed=signed, **changes
        )

    def to_json(self) -> dict[str, Any]:
        """Plain JSON (dates as ISO text), as the letter's record keeps it."""
        return jsonable(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LetterData:
        return _build(cls, data)


def jsonable(value: Any) -> Any:
    """Dataclass fields as JSON: dates as ISO text, tuples as lists."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


_NESTED: dict[str, Any] = {
    "office": OfficeIdentity,
    "signatory": Signatory,
    "plan": Plan,
}
_NESTED_LISTS: dict[str, Any] = {
    "dimensions": Dimension,
    "indicators": Indicator,
    "tiers": TierBand,
    "steps": PlanStep,
}
_DATES = frozenset({"letter_date", "period_start", "period_end"})


def _build(kind: Any, data: dict[str, Any]) -> Any:
    names = {f.name for f in dataclasses.fields(kind)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in names:
            continue  # a field of a later version: ignored, the letter's PDF is the record
        if key in _NESTED and isinstance(value, dict):
            value = _build(_NESTED[key], value)
        elif key in _NESTED_LISTS and isinstance(value, list):
            value = tuple(_build(_NESTED_LISTS[key], item) for item in value)
        elif key in _DATES and isinstance(value, str):
            value = date.fromisoformat(value)
        elif isinstance(value, list):
            value = tuple(value)
        values[key] = value
    return kind(**values)


# ------------------------------------------------------------------------------------- rendering


@dataclass(frozen=True)
class SignatureBox:
    """Where the signature block lies (`page` counts from 0), in PDF points from the page's
    bottom-left corner."""

    page: int
    x1: int
    y1: int
    x2: int
    y2: int


@dataclass(frozen=True)
class RenderedLetter:
    pdf: bytes
    signature_box: SignatureBox | None
    refused_urls: tuple[str, ...] = field(default=())


def letter_sheets(data: LetterData, logo_url: str | None, chart_svg: str) -> Markup:
    """The letter's pages as HTML (the `.sheet` elements), for the web preview and the PDF.
    `logo_url` is where the page finds the logo (None: no logo). `chart_svg` is the attachment's
    chart of the dimension scores, drawn by tracker.charts (`letters.content.attachment_chart`):
    the same code path as the pages' charts."""
    qr_svg = Markup(qr.svg(data.verify_url)) if data.verify_url else None
    return Markup(
        environment.get()
        .get_template("letter_sheets.html")
        .render(
            d=data,
            logo_url=logo_url,
            qr_svg=qr_svg,
            anchor=SIGNATURE_ANCHOR,
            chart_svg=Markup(chart_svg),
        )
    )


def letter_document(data: LetterData, logo_url: str | None, chart_svg: str) -> str:
    """The whole HTML document WeasyPrint renders (its stylesheet comes from `styles.shared`)."""
    return (
        environment.get()
        .get_template("letter.html")
        .render(
            sheets=letter_sheets(data, logo_url, chart_svg),
            title=f"Surat Hasil Evaluasi KIM {data.kim_name}",
        )
    )


_PX_TO_PT = 0.75  # CSS px are 1/96 in, PDF points 1/72 in


def render_letter(
    data: LetterData, logo: tuple[bytes, str] | None = None, chart_svg: str = ""
) -> RenderedLetter:
    """The letter as PDF/A-3b bytes. `logo`: (image bytes, mimetype) for the letterhead;
    `chart_svg`: the attachment's chart (tracker.charts, drawn by the caller)."""
    html = letter_document(data, asset_url(LOGO_ASSET) if logo else None, chart_svg)
    return render_document(html, logo)


def render_document(html: str, logo: tuple[bytes, str] | None = None) -> RenderedLetter:
    """A signed document's HTML (a letter, the recap report) as PDF/A-3b bytes, with where its
    signature block (the element with id SIGNATURE_ANCHOR) lies."""
    from weasyprint import HTML

    assets = {LOGO_ASSET: logo} if logo else {}
    fetcher = make_fetcher(assets)
    css, fonts = styles.shared()
    with styles.lock:
        document = HTML(string=html, base_url=static_url(""), url_fetcher=fetcher).render(
            pdf_variant=PDF_VARIANT, stylesheets=[css], font_config=fonts
        )
        box = _signature_box(document)
        pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
    return RenderedLetter(pdf=pdf, signature_box=box, refused_urls=tuple(fetcher.refused))


def _signature_box(document: Any) -> SignatureBox | None:
    """The letter's signature space (its anchor's rectangle) in PDF coordinates: on page 1,
    or on page 2 when a long plan pushed the closing there."""
    for index, page in enumerate(document.pages):
        anchor = page.anchors.get(SIGNATURE_ANCHOR)
        if anchor is None:
            continue
        left, top, right, bottom = (value * _PX_TO_PT for value in anchor)
        height = page.height * _PX_TO_PT
        return SignatureBox(
            page=index,
            x1=round(left),
            y1=round(height - bottom),
            x2=round(right),
            y2=round(height - top),
        )
    return None
