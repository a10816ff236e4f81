"""`flask demo seed` and `flask demo logins`: the demo district for `make run` and trying things."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import click
from flask.cli import AppGroup

from tracker.cli.common import exit_on_refusal
from tracker.demo import DEFAULT_KIM_COUNT

if TYPE_CHECKING:
    from tracker.demo.census import RuleCount

demo_cli = AppGroup("demo", help="Data demo kabupaten.")


@demo_cli.command("seed")
@click.option("--force", is_flag=True, help="Hapus SEMUA data yang ada, lalu muat demo.")
@click.option(
    "--if-empty", "if_empty", is_flag=True, help="Tidak melakukan apa-apa bila basis data berisi."
)
@click.option(
    "--kims",
    "kim_count",
    type=click.IntRange(1, 2000),
    default=DEFAULT_KIM_COUNT,
    show_default=True,
    help="Jumlah KIM demo.",
)
def seed_command(force: bool, if_empty: bool, kim_count: int) -> None:
    """Muat kabupaten demo (Lumajang): wilayah, ~200 KIM, aktivitas, akun per peran, penilaian."""
    from tracker.demo import seed

    if force and if_empty:
        raise click.UsageError("--force dan --if-empty tidak dapat dipakai bersama.")
    started = time.perf_counter()
    with exit_on_refusal():
        report = seed.seed(force=force, if_empty=if_empty, kim_count=kim_count, progress=click.echo)
    if not report.seeded:
        click.echo("Basis data sudah berisi data; data demo tidak dimuat (--if-empty).")
        return
    elapsed = time.perf_counter() - started
    click.echo(
        f"Data demo siap dalam {elapsed:.1f} detik: {report.regions} wilayah, "
        f"{report.kims} KIM, {report.channels} kanal medsos, {report.posts} unggahan, "
        f"{report.totals} rekap per periode, {report.measurements} nilai isian, "
        f"{len(report.periods)} periode ({len(report.closed)} ditutup, {report.open_period} "
        "terbuka)."
    )
    work = report.field_work
    if work is not None:
        click.echo(
            f"Periode {report.open_period}: {work.submitted} nilai diajukan petugas, "
            f"{work.verified_before + work.verified_after} diverifikasi kabid "
            f"({work.verified_after} sesudah penilaian), {work.rejected} ditolak, "
            f"{work.waiting} menunggu verifikasi."
        )
    if report.rules:
        _echo_rules(report.rules)
    click.echo("Lihat akun demo dengan: flask demo logins")


def _echo_rules(rules: list[RuleCount]) -> None:
    """The census: how many KIM × period cases hit each rule, counted from what was stored."""
    click.echo(
        "Aturan penilaian yang terpakai (kasus KIM × periode, dihitung dari data tersimpan):"
    )
    width = max(len(r.label) for r in rules)
    for rule in rules:
        click.echo(f"  {rule.label:<{width}}  {rule.count:>5}")


@demo_cli.command("logins")
def logins_command() -> None:
    """Tampilkan akun demo (nama pengguna, peran, wilayah, kata sandi)."""
    from tracker.demo import seed

    rows = seed.logins()
    if all(r.status == "belum ada" for r in rows):
        click.echo("Akun demo belum ada; jalankan: flask demo seed")
        return
    headers = ("Nama pengguna", "Peran", "Wilayah kerja", "Kata sandi", "Status")
    table = [(r.username, r.role, r.scope, r.password, r.status) for r in rows]
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *table, strict=False)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    click.echo("Akun demo (hanya untuk mencoba; jangan dipakai di server sungguhan):")
    click.echo(line.format(*headers))
    click.echo("  ".join("-" * w for w in widths))
    for row in table:
        click.echo(line.format(*row))


COMMANDS = (demo_cli,)
