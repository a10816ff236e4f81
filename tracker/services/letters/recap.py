"""The district recap report (Laporan Hasil Evaluasi KIM) of a period: built from the period's
overview (the tier distribution per kecamatan and the movers, `assessment.reports
.period_overview`, in the actor's scope), numbered from the same register as the letters, signed
like them, archived and listed in the register as a recap (`Letter.kind == "rekap"`, no KIM).

Issued in one unit of work like a letter: the number is taken, the report rendered with it,
signed, archived and recorded, or nothing is (a render that raises takes no number). One recap is
in force per period; a corrected one revokes the old one first (the letter's page).
"""

from __future__ import annotations

import secrets

from flask_babel import gettext as _
from sqlalchemy import func, select

from tracker.charts.bars import BarRow, stacked_bars
from tracker.extensions import db
from tracker.models import Assessment, Kim
from tracker.models.kim import STATUS_ACTIVE
from tracker.models.letters import KIND_EVALUATION, KIND_RECAP, LETTER_ISSUED, Letter
from tracker.models.user import User
from tracker.pdf import issuing
from tracker.pdf import recap as recap_pdf
from tracker.pdf.recap import KecamatanTiers, Move, RecapData
from tracker.scoring.framework import load_framework
from tracker.services.assessment.reports import PeriodOverview, period_overview
from tracker.services.common import audit_writer, clock
from tracker.services.common.errors import Invalid
from tracker.services.common.permissions import ISSUE_LETTERS, require
from tracker.services.common.scope import actor_scope_filter
from tracker.services.common.unit_of_work import transaction
from tracker.services.letters import archive, issue, numbering, office
from tracker.services.letters.content import period_label
from tracker.text import fold

RECAP_TITLE = "Laporan Hasil Evaluasi KIM"


class RecapRefused(Invalid):
    """The recap cannot be issued now; `message` says why."""


def _counts(overview: PeriodOverview, counts: dict[str, int]) -> tuple[int, ...]:
    return tuple(counts.get(name, 0) for name in overview.tier_names)


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}".replace(".", ",") + "%" if whole else "0%"


def _conclusions(
    overview: PeriodOverview, kecamatan: tuple[KecamatanTiers, ...]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What the numbers say, and what to do about them (plain sentences from the figures)."""
    names = overview.tier_names
    total = overview.assessed
    counts = _counts(overview, overview.tier_counts)
    lowest, highest = names[0], names[-1]
    spread = ", ".join(
        f"{name} {n} KIM ({_share(n, total)})" for name, n in zip(names, counts, strict=True)
    )
    conclusions = [f"Dari {total} KIM yang dinilai, sebaran jenjangnya: {spread}."]
    upper = sum(counts[len(names) // 2 :])
    conclusions.append(
        f"{upper} KIM ({_share(upper, total)}) telah berada pada jenjang "
        f"{' atau '.join(names[len(names) // 2 :])}."
    )
    if overview.previous is not None:
        conclusions.append(
            f"Dibanding periode sebelumnya, {overview.moved_up} KIM naik jenjang dan "
            f"{overview.moved_down} KIM turun jenjang."
        )
    weakest = sorted(
        (k for k in kecamatan if k.total),
        key=lambda k: (-k.counts[0] / k.total, k.name),
    )
    suggestions = []
    if weakest and weakest[0].counts[0]:
        focus = [k for k in weakest[:3] if k.counts[0]]
        listed = ", ".join(f"{k.name} ({k.counts[0]} dari {k.total} KIM)" for k in focus)
        suggestions.append(
            f"Memprioritaskan pembinaan KIM berjenjang {lowest} di Kecamatan {listed}, melalui "
            "sesi pembinaan sesuai rekomendasi pada surat hasil evaluasi masing-masing KIM."
        )
    if overview.moved_down:
        suggestions.append(
            f"Melakukan kunjungan pemantauan kepada {overview.moved_down} KIM yang turun jenjang "
            "untuk mengetahui kendalanya dan menyepakati tindak lanjut."
        )
    suggestions.append(
        "Mendorong petugas kecamatan untuk melengkapi dan memverifikasi data indikator sebelum "
        "akhir periode, agar penilaian berikutnya tidak terhambat data yang belum ada."
    )
    if counts[-1]:
        suggestions.append(
            f"Menjadikan {counts[-1]} KIM berjenjang {highest} sebagai narasumber dan contoh "
            "praktik baik bagi KIM lain di kecamatannya."
        )
    return tuple(conclusions), tuple(suggestions)


def build(actor: User | None, period_code: str, view: office.OfficeView) -> RecapData:
    """The recap of a period as it would be issued today, in the actor's scope."""
    return _build(actor, period_code, view)[0]


def _build(
    actor: User | None, period_code: str, view: office.OfficeView
) -> tuple[RecapData, PeriodOverview]:
    overview = period_overview(actor, period_code, per_page=1)
    period = overview.period
    if overview.framework is None or not overview.assessed:
        raise RecapRefused(
            _("Periode %(code)s belum dinilai: jalankan penilaian dulu.", code=period.code)
        )
    kecamatan = tuple(
        KecamatanTiers(row.name, _counts(overview, row.counts)) for row in overview.kecamatan_rows
    )
    scope = actor_scope_filter(Kim.desa_code, actor)
    registered = db.session.scalar(
        select(func.count()).select_from(Kim).where(Kim.status == STATUS_ACTIVE, scope)
    )
    average = db.session.scalar(
        select(func.avg(Assessment.score))
        .join(Kim, Kim.id == Assessment.kim_id)
        .where(
            Assessment.period_id == period.id,
            Assessment.framework_id == overview.framework.id,
            scope,
        )
    )
    letters = db.session.scalar(
        select(func.count())
        .select_from(Letter)
        .where(
            Letter.period_id == period.id,
            Letter.kind == KIND_EVALUATION,
            Letter.status == LETTER_ISSUED,
            actor_scope_filter(Letter.region_code, actor),
        )
    )
    rows = [BarRow(k.name, k.counts) for k in kecamatan]
    conclusions, suggestions = _conclusions(overview, kecamatan)
    version = overview.framework.version
    load_framework(overview.framework.definition)  # a result under a broken framework: refuse
    data = RecapData(
        office=view.identity,
        signatory=view.signatory,
        letter_date=clock.office_today(),
        period_code=period.code,
        period_label=period_label(period),
        period_start=period.start_date,
        period_end=period.end_date,
        framework_version=version,
        tier_names=tuple(overview.tier_names),
        tier_counts=_counts(overview, overview.tier_counts),
        kecamatan=kecamatan,
        kims_registered=int(registered or 0),
        average_score=round(float(average), 2) if average is not None else None,
        letters_issued=int(letters or 0),
        previous_label=period_label(overview.previous)
        if overview.previous is not None and _previous_assessed(overview)
        else None,
        moved_up=overview.moved_up,
        moved_down=overview.moved_down,
        movers_up=tuple(
            Move(m.name, m.desa, m.before, m.after, m.score) for m in overview.movers_up
        ),
        movers_down=tuple(
            Move(m.name, m.desa, m.before, m.after, m.score) for m in overview.movers_down
        ),
        conclusions=conclusions,
        suggestions=suggestions,
        chart_svg=stacked_bars(
            rows,
            overview.tier_names,
            title=f"Sebaran jenjang KIM per kecamatan, {period.code}",
            description=(
                "Batang bertumpuk: untuk setiap kecamatan, jumlah KIM di setiap jenjang. "
                "Angkanya ada di tabel sebaran jenjang di atas."
            ),
            key="recap-tiers",
        ),
        tembusan=tuple(
            line for line in view.tembusan if "{kecamatan}" not in line and "{desa}" not in line
        ),
    )
    return data, overview


def _previous_assessed(overview: PeriodOverview) -> bool:
    before = overview.previous
    if before is None:
        return False
    return bool(
        db.session.scalar(
            select(func.count()).select_from(Assessment).where(Assessment.period_id == before.id)
        )
    )


def in_force(period_id: int, region_code: str) -> Letter | None:
    return db.session.scalar(
        select(Letter).where(
            Letter.kind == KIND_RECAP,
            Letter.period_id == period_id,
            Letter.region_code == region_code,
            Letter.status == LETTER_ISSUED,
        )
    )


def _refuse_if_in_force(period_id: int, region_code: str) -> None:
    found = in_force(period_id, region_code)
    if found is not None:
        raise RecapRefused(
            _(
                "Laporan hasil evaluasi periode ini sudah terbit dengan nomor %(number)s. Untuk "
                "memperbaikinya, cabut laporan itu lalu terbitkan lagi.",
                number=found.number,
            )
        )


def _region(actor: User | None, kecamatan_codes: list[str]) -> str:
    """Where the recap belongs (its register row's region): the actor's one region when it is
    narrower than a kabupaten, else the kabupaten of the KIMs assessed."""
    if actor is not None and len(actor.scope_codes) == 1 and actor.scope_codes[0].count(".") >= 2:
        return actor.scope_codes[0]
    return ".".join(kecamatan_codes[0].split(".")[:2])


def issue_recap(actor: User | None, period_code: str) -> Letter:
    """Issue the period's recap report (see the module docstring)."""
    require(actor, ISSUE_LETTERS)
    view = office.current()
    issue.ready(view)
    data, overview = _build(actor, period_code, view)
    period = overview.period
    region = _region(actor, [row.code for row in overview.kecamatan_rows])
    _refuse_if_in_force(period.id, region)
    key = issue.signing_key(view)
    logo = office.logo()
    token = secrets.token_urlsafe(issue.TOKEN_BYTES)
    day = data.letter_date
    written: str | None = None
    try:
        with transaction():
            sequence = numbering.take_next(day.year)  # holds the year's numbers until commit
            # again under that lock: a recap issued meanwhile (a second click, another user)
            # has committed by now, and this one must not be a second in force
            _refuse_if_in_force(period.id, region)
            data = data.issued(
                issue.number_for(view, sequence, day),
                token,
                office.verify_url(token, view),
                signed=key is not None,
            )
            pdf = issuing.seal(
                recap_pdf.render_recap(data, logo), key, f"{RECAP_TITLE} nomor {data.number}"
            )
            written = archive.relative_path(day.year, sequence)
            archive.write(written, pdf)
            letter = Letter(
                kind=KIND_RECAP,
                number=data.number or "",
                year=day.year,
                sequence=sequence,
                letter_date=day,
                kim_id=None,
                period_id=period.id,
                region_code=region,
                kecamatan_code=None,
                kim_name=RECAP_TITLE,
                kim_name_key=fold(RECAP_TITLE),
                desa_name="",
                kecamatan_name="",
                period_code=data.period_code,
                score=data.average_score,
                tier="",
                signatory_name=data.signatory.name,
                signatory_nip=data.signatory.nip,
                content=data.to_json(),
                token=token,
                pdf_path=written,
                pdf_sha256=archive.sha256(pdf),
                pdf_size=len(pdf),
                signed=data.signed,
                status=LETTER_ISSUED,
                issued_by_id=actor.id if actor is not None else None,
            )
            db.session.add(letter)
            db.session.flush()
            audit_writer.record(
                "letter.recap",
                "letter",
                letter.id,
                actor,
                params={"number": letter.number, "period": letter.period_code},
                region=region,
            )
        return letter
    except BaseException:
        if written is not None:
            archive.discard(written)
        raise


def filename(letter: Letter) -> str:
    kept = "".join(c if c.isalnum() else "-" for c in letter.number)
    return f"laporan-evaluasi-kim-{letter.period_code}-{kept}.pdf"
