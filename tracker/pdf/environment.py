"""The Jinja environment of printed documents: templates/pdf, HTML-escaped, Indonesian filters.

Separate from Flask's environment on purpose: documents render in worker processes with no
application, and a printed letter is Indonesian whatever language the person issuing it reads
the app in. Autoescaping is on for every template, so a KIM named `<b>Maju</b>` prints as those
characters, exactly as the web pages show it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from tracker.pdf import formatting

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates" / "pdf"


@cache
def get() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        tanggal=formatting.tanggal,
        hari=formatting.hari,
        angka=formatting.angka,
        skor=formatting.skor,
        nip=formatting.nip,
        terbilang=formatting.terbilang,
        kim=formatting.kim_label,
        judul=formatting.judul,
    )
    return env
