"""`flask period add CODE`, `flask period close CODE`, `flask period list`.

They act as the system (no scope); every change is audit-logged without a user.
"""

from __future__ import annotations

import click
from flask_babel import format_date

from tracker.cli import fail, period_cli
from tracker.models import Period
from tracker.models.period import PERIOD_STATE_LABELS
from tracker.scoring.periods import KIND_LABELS
from tracker.services import periods


def _span(period: Period) -> str:
    return (
        f"{format_date(period.start_date, 'd MMMM y')} – {format_date(period.end_date, 'd MMMM y')}"
    )


@period_cli.command("add")
@click.argument("code")
def add_command(code: str) -> None:
    """Tambah periode: 2025-T1 (triwulan), 2025-S1 (semester) atau 2025 (tahun)."""
    try:
        period = periods.add_period(code, None)
    except periods.PeriodError as error:
        fail(f"Gagal: {error}")
    click.echo(f"Periode {period.code} ({_span(period)}) ditambahkan.")


@period_cli.command("close")
@click.argument("code")
def close_command(code: str) -> None:
    """Tutup periode: penilaiannya dibekukan, datanya tidak dapat diubah lagi."""
    try:
        period = periods.close_period(code, None)
    except periods.PeriodNotFoundError:
        fail(f"Gagal: periode {code.strip()} tidak ditemukan.")
    except periods.PeriodError as error:
        fail(f"Gagal: {error}")
    click.echo(f"Periode {period.code} ditutup.")


@period_cli.command("list")
def list_command() -> None:
    """Daftar periode, terbaru dulu."""
    rows = periods.list_periods(None)
    if not rows:
        click.echo("Belum ada periode.")
        return
    for row in rows:
        p = row.period
        click.echo(
            f"{p.code:<8} {KIND_LABELS.get(p.kind, p.kind):<9} {_span(p):<36} "
            f"{PERIOD_STATE_LABELS.get(p.state, p.state):<8} {row.assessed} KIM dinilai"
        )
