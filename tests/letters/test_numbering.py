"""Letter numbers: the template and its tokens, the yearly sequence, and numbers that stay unique
and gapless while eight processes issue letters at once (on the suite's database: SQLite, or
PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
import traceback
from datetime import date

import pytest
from sqlalchemy import select

from tests import factories
from tests.letters.conftest import quick_pdf
from tracker.extensions import db
from tracker.models import Letter, LetterSequence
from tracker.services.common.unit_of_work import transaction
from tracker.services.letters import issue, numbering
from tracker.services.letters.numbering import NumberParts, NumberTemplateInvalid


def _parts(**changes) -> NumberParts:  # type: ignore[no-untyped-def]
    values = {"sequence": 7, "year": 2025, "month": 3, "kode": "400.14", "unit": "DISKOMINFO"}
    return NumberParts(**{**values, **changes})


def test_the_default_template_gives_the_design_example():
    assert numbering.format_number(numbering.DEFAULT_TEMPLATE, _parts()) == (
        "400.14/007/DISKOMINFO/2025"
    )


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{kode}/{nomor}/{unit}/{tahun}", "400.14/7/DISKOMINFO/2025"),
        ("{nomor:04}-{tahun}", "0007-2025"),
        ("B-{nomor:02}/{unit}/{bulan_romawi}/{tahun}", "B-07/DISKOMINFO/III/2025"),
        ("{kode}/{nomor:03}/{unit}.{bulan_romawi}/{tahun}", "400.14/007/DISKOMINFO.III/2025"),
        ("{nomor}/{tahun}", "7/2025"),
    ],
)
def test_every_token_fills_in(template, expected):
    assert numbering.format_number(template, _parts()) == expected


def test_the_month_is_written_in_roman_numerals():
    months = [
        numbering.format_number("{bulan_romawi}/{nomor}/{tahun}", _parts(month=m)).split("/")[0]
        for m in range(1, 13)
    ]
    assert months == ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def test_a_number_wider_than_its_padding_is_written_whole():
    assert numbering.format_number("{nomor:03}/{tahun}", _parts(sequence=1234)) == "1234/2025"


@pytest.mark.parametrize(
    ("template", "says"),
    [
        ("{kode}/{unit}/{tahun}", "{nomor}"),
        ("{nomor}/{nomor}/{tahun}", "tepat satu kali"),
        ("{kode}/{nomor:03}/{unit}", "{tahun}"),
        ("{kode}/{nomer}/{tahun}", "{nomer} tidak dikenal"),
        ("{kode}/{nomor}/{tahun}/{bulan}", "{bulan} tidak dikenal"),
        ("{kode:03}/{nomor}/{tahun}", "Lebar angka hanya untuk {nomor}"),
        ("{nomor:3}/{tahun}", "Lebar angka hanya untuk {nomor}"),
        ("{nomor}/{tahun}}", "Kurung kurawal"),
        ("{{nomor}/{tahun}", "Kurung kurawal"),
        ("", "wajib diisi"),
    ],
)
def test_a_bad_template_is_refused_with_a_reason(template, says):
    with pytest.raises(NumberTemplateInvalid) as refused:
        numbering.check_template(template)
    assert says in refused.value.message


def test_the_sequence_counts_per_year_and_restarts_in_a_new_year(app):
    taken = []
    for year in (2025, 2025, 2025, 2026, 2025, 2026):
        with transaction():
            taken.append((year, numbering.take_next(year)))
    assert taken == [(2025, 1), (2025, 2), (2025, 3), (2026, 1), (2025, 4), (2026, 2)]


def test_a_letter_issued_in_a_new_year_starts_at_one(regions, monkeypatch, fast_render):
    factories.office_ready()
    kims, _period = factories.assessed_kims(regions.desa_a1, count=3, period_code="2025-T4")
    factories.freeze_today(monkeypatch, date(2025, 12, 30))
    december = [issue.issue_letter(None, "2025-T4", kim.id).number for kim in kims[:2]]
    factories.freeze_today(monkeypatch, date(2026, 1, 2))
    january = issue.issue_letter(None, "2025-T4", kims[2].id).number
    assert december == ["400.14/001/DISKOMINFO/2025", "400.14/002/DISKOMINFO/2025"]
    assert january == "400.14/001/DISKOMINFO/2026"


def test_the_bulan_romawi_of_an_issued_letter_is_its_month(regions, monkeypatch, fast_render):
    factories.office_ready(number_template="{kode}/{nomor:03}/{unit}/{bulan_romawi}/{tahun}")
    (kim,), _period = factories.assessed_kims(regions.desa_a1)
    factories.freeze_today(monkeypatch, date(2025, 11, 3))
    assert issue.issue_letter(None, "2025-T1", kim.id).number == ("400.14/001/DISKOMINFO/XI/2025")


# ------------------------------------------------------------------- concurrent issuing

PROCESSES = 8
LETTERS_EACH = 50


def _issue_many(config: dict, period_code: str, kim_ids: list[int], start, errors) -> None:  # type: ignore[no-untyped-def]
    """One worker process: its own application on the shared database, issuing its KIMs' letters
    one after another. Everything from taking the number to the commit is the real path; the
    renderer and the reading of the assessment are stand-ins (the numbers are under test, and
    eight processes reading every KIM's assessment on two cores would only make the test slow)."""
    try:
        import dataclasses
        import time

        from tracker import create_app
        from tracker.pdf import letter as letter_pdf
        from tracker.services.letters import content
        from tracker.services.letters import issue as issuing

        def slow_quick_pdf(data, logo=None, chart_svg=None):  # type: ignore[no-untyped-def]
            time.sleep(0.002)  # a render takes time: widen the window a race would need
            return quick_pdf(data, logo)

        app = create_app(config)
        with app.app_context():
            first = content.build(None, period_code, kim_ids[0], issuing.office.current())

            def build(actor, code, kim_id, view):  # type: ignore[no-untyped-def]
                return dataclasses.replace(first, kim_id=kim_id)

            letter_pdf.render_letter = slow_quick_pdf
            content.build = build
            start.wait(timeout=120)  # every process ready: all begin at once
            for kim_id in kim_ids:
                issuing.issue_letter(None, period_code, kim_id)
            db.session.remove()
            db.engine.dispose()
    except BaseException:
        errors.put(traceback.format_exc())
        start.abort()  # the others stop waiting for this one


def _kims_assessed(count: int) -> tuple[list[int], str]:
    """`count` KIMs written at once and assessed (no activity: every one is Rintisan)."""
    from tests.factories.registry import region_tree
    from tracker.models import Kim
    from tracker.services.assessment.runner import assess_period
    from tracker.services.rules import frameworks

    tree = region_tree()
    frameworks.ensure_default()
    period = factories.make_period("2025-T1")
    kims = [Kim(name=f"KIM Serentak {n:03}", desa_code=tree.desa_a1) for n in range(count)]
    db.session.add_all(kims)
    db.session.commit()
    assess_period(period, None)
    return [kim.id for kim in kims], period.code


@pytest.mark.slow
def test_eight_processes_issuing_fifty_letters_each_get_unique_gapless_numbers(
    app, sibling_app, tmp_path
):
    shared = sibling_app()  # a file database on SQLite, the test database on PostgreSQL
    with shared.app_context():
        factories.office_ready()
        ids, period_code = _kims_assessed(PROCESSES * LETTERS_EACH)
        db.session.remove()
        db.engine.dispose()
    db.engine.dispose()  # the test's own: no pooled connection is inherited by the workers
    config = {
        "SQLALCHEMY_DATABASE_URI": shared.config["SQLALCHEMY_DATABASE_URI"],
        "LETTER_ARCHIVE": str(tmp_path / "letters"),
    }
    # fork: real processes, without each importing the app again (spawn doubled the test's time);
    # each builds its own application and engine, and leaves through os._exit
    context = multiprocessing.get_context("fork")
    start, errors = context.Barrier(PROCESSES + 1), context.Queue()
    workers = [
        context.Process(
            target=_issue_many,
            args=(config, period_code, ids[n::PROCESSES], start, errors),
        )
        for n in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    with contextlib.suppress(threading.BrokenBarrierError):  # a worker failed: reported below
        start.wait(timeout=120)
    for worker in workers:
        worker.join(timeout=300)
    failures = []
    while not errors.empty():
        failures.append(errors.get())
    assert not failures, failures[0]
    assert all(worker.exitcode == 0 for worker in workers)
    with shared.app_context():
        letters = db.session.execute(select(Letter.sequence, Letter.number, Letter.year)).all()
        last = db.session.scalar(select(LetterSequence.last_number))
        db.session.remove()
    today_year = letters[0].year
    assert len(letters) == PROCESSES * LETTERS_EACH
    assert sorted(s for s, _n, _y in letters) == list(range(1, PROCESSES * LETTERS_EACH + 1))
    assert len({n for _s, n, _y in letters}) == len(letters)
    assert {y for _s, _n, y in letters} == {today_year}
    assert last == PROCESSES * LETTERS_EACH
