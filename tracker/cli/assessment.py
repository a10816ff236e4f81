"""`flask assess run|export`: the same services as the period pages."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from tracker.cli.common import exit_on_refusal, write_file
from tracker.services.assessment import reports, runner

assess_cli = AppGroup("assess", help="Penilaian KIM per periode.")


@assess_cli.command("run")
@click.option("--period", "code", required=True, metavar="KODE", help="Mis. 2025-T1.")
def run_command(code: str) -> None:
    """Nilai semua KIM aktif untuk satu periode dengan kerangka yang aktif."""
    with exit_on_refusal("Penilaian tidak dijalankan:"):
        run = runner.assess_period(code, None)
    tiers = ", ".join(f"{tier} {n}" for tier, n in run.tier_counts.items())
    click.echo(
        f"Penilaian {run.period_code} (kerangka v{run.framework_version}) selesai: "
        f"{run.kims_assessed} KIM dinilai dalam {run.duration_seconds:.2f} detik. {tiers}."
    )


@assess_cli.command("export")
@click.option("--period", "code", required=True, metavar="KODE", help="Mis. 2025-T1.")
@click.argument("file", type=click.Path(dir_okay=False))
def export_command(code: str, file: str) -> None:
    """Ekspor hasil penilaian satu periode ke FILE (.csv atau .xlsx, menurut ekstensinya)."""
    fmt = Path(file).suffix.lower().lstrip(".")
    with exit_on_refusal("Ekspor tidak dibuat:"):
        exported = reports.export_assessments(None, code, fmt)
    write_file(file, exported.payload)
    click.echo(f"{exported.rows} penilaian {code.strip()} ditulis ke {file}.")


COMMANDS = (assess_cli,)
