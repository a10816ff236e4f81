"""Letter commands: `flask office show|set`, the office's letter settings for scripted installs;
`flask letters issue|run-batch|resume|recap`, letters in batches and the district recap report.

The same services and the same validation as the pages; the commands act as the server operator
(every region), audited without a user. Settings the office command does not offer (letterhead
address and contacts, logo, tembusan, a.n./Plt., the public address) are set on the page.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import click
from flask.cli import AppGroup

from tracker.cli.common import exit_on_refusal, fail
from tracker.models.letters import ITEM_SKIPPED, LetterBatch
from tracker.services.common.audit_vocabulary import FIELDS, SIGNING_MODE_LABELS
from tracker.services.letters import archive, batch, office, recap

office_cli = AppGroup("office", help="Pengaturan surat kantor (kop, penanda tangan, penomoran).")

# option → settings field, exactly the options the command offers
_OPTIONS = {
    "signatory_name": "signatory_name",
    "signatory_nip": "signatory_nip",
    "signatory_title": "signatory_title",
    "signatory_rank": "signatory_rank",
    "place": "place",
    "number_template": "number_template",
    "classification_code": "classification_code",
    "unit_code": "unit_code",
}


def _show(view: office.OfficeView) -> None:
    labels = FIELDS["office"]
    if not view.stored:
        click.echo("(belum disimpan: nilai awal dari pohon wilayah)")
    for name in office.EDITABLE:
        value = getattr(view, name)
        if name == "tembusan":
            value = "; ".join(value)
        elif name == "signatory_mode":
            value = SIGNING_MODE_LABELS.get(value, value)
        elif name == "public_base_url" and not value:
            configured = office.public_base_url(view)
            value = f"(PUBLIC_BASE_URL: {configured})" if configured else ""
        click.echo(f"{labels[name].label:<38} {value or '—'}")
    click.echo(f"{labels['logo'].label:<38} {'ada' if view.has_logo else 'belum ada'}")
    try:
        example = office.example_number(view.number_template)
    except office.numbering.NumberTemplateInvalid as exc:
        example = exc.message
    click.echo(f"{'Contoh nomor surat berikutnya':<38} {example}")
    if view.missing_signatory:
        click.echo(
            "Surat belum dapat diterbitkan: penanda tangan belum lengkap "
            f"({', '.join(view.missing_signatory)})."
        )


@office_cli.command("show")
def office_show_command() -> None:
    """Tampilkan pengaturan surat yang berlaku."""
    _show(office.current())


@office_cli.command("set")
@click.option("--signatory-name", metavar="TEXT", help="Nama penanda tangan, dengan gelar.")
@click.option("--signatory-nip", metavar="NIP", help="NIP penanda tangan (18 angka).")
@click.option("--signatory-title", metavar="TEXT", help="Jabatan penanda tangan.")
@click.option("--signatory-rank", metavar="TEXT", help="Pangkat/golongan, mis. Pembina (IV/a).")
@click.option("--place", metavar="TEXT", help="Tempat pada baris tanggal, mis. Lumajang.")
@click.option(
    "--number-template", metavar="TEXT", help="Format nomor, mis. {kode}/{nomor:03}/{unit}/{tahun}."
)
@click.option("--classification-code", metavar="TEXT", help="Kode klasifikasi arsip ({kode}).")
@click.option("--unit-code", metavar="TEXT", help="Kode unit pengolah ({unit}).")
def office_set_command(**options: str | None) -> None:
    """Ubah pengaturan surat; yang tidak disebut tetap."""
    changes = {_OPTIONS[k]: v for k, v in options.items() if v is not None}
    if not changes:
        raise click.UsageError("Sebutkan sekurang-kurangnya satu pengaturan yang diubah.")
    with exit_on_refusal():
        view = office.update(None, changes)
    click.echo("Pengaturan surat disimpan.")
    _show(view)


letters_cli = AppGroup(
    "letters", help="Surat hasil evaluasi: penerbitan serentak dan laporan rekap kabupaten."
)

WORKERS = click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=None,
    help="Proses perender (bawaan: satu per inti prosesor; 0: di proses ini).",
)
PERIOD = click.option(
    "--period", "period", required=True, metavar="CODE", help="Kode periode, mis. 2025-T1."
)
OUT = click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder tujuan berkas hasil.",
)


def _report(done: LetterBatch) -> None:
    click.echo(
        f"Batch {done.id} ({batch.filter_text(done)}): {done.issued} terbit, "
        f"{done.skipped} dilewati, {done.failed} gagal dari {done.total} KIM."
    )
    for item in batch.unsettled_items(done.id):
        word = "dilewati" if item.status == ITEM_SKIPPED else "GAGAL"
        click.echo(f"  {word}: {item.kim_name} ({item.kecamatan_name}): {item.message}", err=True)
    if done.message:
        click.echo(done.message, err=True)


def _copy_results(done: LetterBatch, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for relative in (done.zip_path, done.combined_path):
        if relative:
            target = out / Path(relative).name
            shutil.copyfile(archive.root() / relative, target)
            click.echo(f"Ditulis: {target}")


@letters_cli.command("issue")
@PERIOD
@click.option("--kecamatan", metavar="NAME", default="", help="Hanya KIM di kecamatan ini.")
@click.option("--tier", metavar="NAME", default="", help="Hanya KIM berjenjang ini.")
@OUT
@WORKERS
def issue_command(period: str, kecamatan: str, tier: str, out: Path, workers: int | None) -> None:
    """Terbitkan surat untuk semua KIM yang dinilai (atau saringannya) sebagai satu batch; tulis
    ZIP berisi tiap surat dan satu PDF gabungan untuk dicetak ke folder --out."""
    with exit_on_refusal():
        started = batch.start_batch(None, period, kecamatan=kecamatan, tier=tier)
        click.echo(f"Batch {started.id}: {started.total} KIM ({batch.filter_text(started)}).")
        done = batch.run_batch(started.id, workers=workers)
    _report(done)
    _copy_results(done, out)
    if done.failed or done.message:
        fail("Sebagian surat gagal diterbitkan; lihat daftar di atas.")


@letters_cli.command("run-batch")
@click.argument("batch_id", type=int)
@WORKERS
def run_batch_command(batch_id: int, workers: int | None) -> None:
    """Jalankan (atau lanjutkan) batch surat BATCH_ID sampai selesai."""
    with exit_on_refusal():
        done = batch.run_batch(batch_id, workers=workers)
    _report(done)


@letters_cli.command("resume")
@WORKERS
def resume_command(workers: int | None) -> None:
    """Lanjutkan setiap batch yang prosesnya terhenti sebelum selesai."""
    ran = batch.resume_pending_batches(workers=workers)
    click.echo(f"{len(ran)} batch dilanjutkan." if ran else "Tidak ada batch yang terhenti.")


@letters_cli.command("recap")
@PERIOD
@OUT
def recap_command(period: str, out: Path) -> None:
    """Terbitkan Laporan Hasil Evaluasi KIM kabupaten untuk satu periode (bernomor, dari agenda
    surat yang sama) dan tulis PDF-nya ke folder --out."""
    with exit_on_refusal():
        letter = recap.issue_recap(None, period)
    out.mkdir(parents=True, exist_ok=True)
    target = out / recap.filename(letter)
    shutil.copyfile(archive.root() / letter.pdf_path, target)
    click.echo(f"Laporan {letter.number} diterbitkan. Ditulis: {target}")


COMMANDS = (office_cli, letters_cli)
