"""Reports commands: `flask leaderboard` (Top Konten), the same service as its page."""

from __future__ import annotations

from datetime import date

import click

from tracker.cli.common import exit_on_refusal
from tracker.io.values import CellError, parse_date
from tracker.services.common.clock import office_today
from tracker.services.reports import leaderboard


def _until(raw: str | None) -> date:
    if not raw:
        return office_today()
    try:
        return parse_date(raw)
    except CellError as exc:
        raise click.BadParameter(str(exc), param_hint="--until") from exc


@click.command("leaderboard")
@click.option("--until", "until", metavar="TANGGAL", help="Sampai tanggal ini (bawaan: hari ini).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--kecamatan", metavar="NAMA", help="Hanya KIM di kecamatan ini.")
def leaderboard_command(until: str | None, limit: int, kecamatan: str | None) -> None:
    """Top Konten: KIM dengan unggahan website terbanyak (berita+galeri+pengumuman+agenda)."""
    day = _until(until)
    with exit_on_refusal():
        code = leaderboard.find_kecamatan(kecamatan) if kecamatan else None
    page = leaderboard.leaderboard(None, until=day, kecamatan_code=code, per_page=limit)
    click.echo(
        f"Top Konten sampai {day.isoformat()}"
        + (f", Kec. {kecamatan}" if code else ", semua KIM aktif di basis data")
        + " (total sama berbagi peringkat)"
    )
    if not page.items:
        click.echo("Belum ada unggahan.")
        return
    click.echo(
        f"{'#':>4}  {'KIM':<32} {'Desa':<20} {'Berita':>7} {'Galeri':>7} {'Pengum.':>7} "
        f"{'Agenda':>7} {'Total':>7}"
    )
    for row in page.items:
        click.echo(
            f"{row.rank:>4}  {row.name[:32]:<32} {row.desa[:20]:<20} {row.berita:>7} "
            f"{row.galeri:>7} {row.pengumuman:>7} {row.agenda:>7} {row.total:>7}"
        )


COMMANDS = (leaderboard_command,)
