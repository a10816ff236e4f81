"""Letter commands: `flask office show|set`, the office's letter settings for scripted installs.

The same service and the same validation as the admin's settings page (Pengaturan Surat); the
command acts as the server operator, audited without a user. Settings the command does not offer
(letterhead address and contacts, logo, tembusan, a.n./Plt., the public address) are set on the
page.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from tracker.cli.common import exit_on_refusal
from tracker.services.common.audit_vocabulary import FIELDS, SIGNING_MODE_LABELS
from tracker.services.letters import office

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


COMMANDS = (office_cli,)
