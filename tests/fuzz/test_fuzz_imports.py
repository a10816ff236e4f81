"""Hypothesis fuzzing of every import kind of the pipeline (found from the ImportRun subclasses,
so a kind added later is fuzzed too) and of the letter-number template parser: random bytes,
CSV and XLSX files with the kind's own headers and random cells (huge, control characters,
formulas, other scripts), in several encodings. Whatever comes in, the answer is a result or
a clean refusal (a ServiceError, i.e. Invalid), never another exception; and a refused file
writes nothing. Bounded (max_examples) so the suite stays fast."""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import func, select

from tests import factories
from tracker.extensions import db
from tracker.services.activity import count_import, measurement_import, post_import  # noqa: F401
from tracker.services.common.errors import ServiceError
from tracker.services.common.import_pipeline import ImportRun, run_import
from tracker.services.letters import numbering
from tracker.services.registry import kim_import  # noqa: F401

FUZZ = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
EXAMPLES = {"imports": 0, "template": 0}


def _kinds() -> list[type[ImportRun]]:
    found: list[type[ImportRun]] = []
    stack = list(ImportRun.__subclasses__())
    while stack:
        kind = stack.pop()
        stack.extend(kind.__subclasses__())
        if getattr(kind, "kind", None):
            found.append(kind)
    return sorted(found, key=lambda k: k.kind)


KINDS = _kinds()


def _counts() -> dict[str, int]:
    return {
        t.name: db.session.scalar(select(func.count()).select_from(t)) or 0
        for t in db.metadata.sorted_tables
    }


@pytest.fixture
def district(app: Flask) -> None:
    regions = factories.region_tree()
    factories.kim(regions.desa_a1, name="KIM Fuzz")
    factories.make_period("2025-T1")


cells = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=5000),
    st.sampled_from(
        ["=1+1", "@SUM(A1)", "-2", "1e309", "NaN", "35.08.09.2001", "2025-02-30", "0x1F", ""]
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)


def _headers(kind: type[ImportRun]) -> list[str]:
    return [aliases[0] for aliases in kind.columns.values()]


@st.composite
def files(draw: st.DrawFn, kind: type[ImportRun]) -> tuple[bytes, str]:
    shape = draw(st.sampled_from(["bytes", "csv", "xlsx"]))
    if shape == "bytes":
        return draw(st.binary(max_size=2000)), draw(st.sampled_from(["a.csv", "a.xlsx", "a"]))
    headers = _headers(kind)
    if draw(st.booleans()):
        headers = draw(st.lists(st.sampled_from(headers), min_size=1, unique=True))
    rows = draw(st.lists(st.lists(cells, min_size=0, max_size=len(headers) + 2), max_size=6))
    if shape == "csv":
        out = io.StringIO()
        writer = csv.writer(out, delimiter=draw(st.sampled_from([";", ","])))
        writer.writerow(headers)
        writer.writerows(rows)
        encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]))
        return out.getvalue().encode(encoding, "replace"), "berkas.csv"
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append([_xlsx_safe(c) for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), "berkas.xlsx"


def _xlsx_safe(value: str) -> str:
    """openpyxl refuses control characters itself; the fuzzing is of our reader, not of it."""
    return "".join(c for c in value if c >= " " or c in "\t\n")[:32000]


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.kind)
def test_an_importer_answers_anything_with_a_result_or_a_clean_refusal(
    app: Flask, district: None, kind: type[ImportRun]
) -> None:
    @FUZZ
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        payload, name = data.draw(files(kind))
        dry = data.draw(st.booleans())
        before = _counts()
        EXAMPLES["imports"] += 1
        try:
            result = run_import(kind, payload, name, None, {"period": "2025-T1"}, dry_run=dry)
        except ServiceError:
            db.session.rollback()
            assert _counts() == before  # refused: nothing written
            return
        if dry or result.refused:
            assert _counts() == before
        db.session.rollback()

    run()


def test_kinds_were_found() -> None:
    assert len(KINDS) >= 4  # registry, posts, totals, measurements


template_text = st.one_of(
    st.text(max_size=80),
    st.lists(
        st.one_of(
            st.sampled_from(
                ["{nomor}", "{nomor:03}", "{tahun}", "{bulan}", "{kode}", "{unit}", "{", "}"]
            ),
            st.sampled_from(["{nomor:x}", "{nomor:999999}", "{tahun:2}", "{{", "}}", "{ nomor }"]),
            st.text(max_size=10),
        ),
        max_size=12,
    ).map("".join),
)


@FUZZ
@given(template=template_text, sequence=st.integers(min_value=1, max_value=10**6))
def test_the_number_template_parser_gives_a_number_or_a_clean_refusal(
    template: str, sequence: int
) -> None:
    EXAMPLES["template"] += 1
    try:
        checked = numbering.check_template(template)
    except numbering.NumberTemplateInvalid as refusal:
        assert refusal.message
        return
    parts = numbering.NumberParts(sequence=sequence, year=2025, month=4, kode="400.14", unit="X")
    number = numbering.format_number(checked, parts)
    assert "2025" in number and str(sequence) in number


def test_the_office_settings_refuse_a_bad_template_and_keep_the_old(app: Flask) -> None:
    before = factories.office_ready()
    for bad in (
        "{nomor}",
        "{nomor}/{tahun}/{nomor}",
        "{x}/{nomor}/{tahun}",
        "{nomor:999999}/{tahun}",
    ):
        with pytest.raises(ServiceError):
            factories.office_ready(number_template=bad)
        db.session.rollback()
    from tracker.services.letters import office

    assert office.current().number_template == before.number_template
