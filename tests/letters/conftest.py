"""Letters: an office ready to sign, an assessed KIM, and a quick stand-in for the renderer
where a test is about numbers and records rather than the PDF itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from tests import factories
from tracker.models import Kim, Period
from tracker.pdf import letter as letter_pdf

TODAY = date(2025, 4, 7)


@dataclass
class Ready:
    kim: Kim
    period: Period


@pytest.fixture
def ready(regions, monkeypatch) -> Ready:
    """Signatory set, today 7 April 2025, one KIM assessed for 2025-T1."""
    factories.office_ready()
    factories.freeze_today(monkeypatch, TODAY)
    (kim,), period = factories.assessed_kims(regions.desa_a1, name="KIM Kutorenon Maju")
    return Ready(kim, period)


def quick_pdf(data: letter_pdf.LetterData, logo=None, chart_svg=None) -> letter_pdf.RenderedLetter:  # type: ignore[no-untyped-def]
    """A stand-in for the renderer: a few bytes naming the letter, no WeasyPrint."""
    body = f"%PDF-1.7\n% {data.number} {data.kim_name} {data.token}\n%%EOF\n".encode()
    return letter_pdf.RenderedLetter(pdf=body, signature_box=None)


@pytest.fixture
def fast_render(monkeypatch) -> None:
    monkeypatch.setattr(letter_pdf, "render_letter", quick_pdf)
