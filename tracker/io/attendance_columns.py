"""Columns of an attendance list (daftar hadir) as offices keep it: one row per participant, with
the session's title and date, the participant's KIM and name. Other columns an office writes (No,
Jabatan, Tanda Tangan) are read past.

Headers are matched by `tracker.io.tabular.header_key` (case, spacing and punctuation ignored). A
KIM is named as in every other file (`kim_columns.REFERENCE_COLUMNS`: its KIM.id number, or its
name with, when needed, its desa and kecamatan), except that a bare "Nama" on an attendance list
is the participant's name, not the KIM's.
"""

from __future__ import annotations

from tracker.io.kim_columns import REFERENCE_COLUMNS, REFERENCE_REQUIRED

ATTENDANCE_COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("Nama Kegiatan", "Kegiatan", "Judul", "Judul Kegiatan", "Nama Sesi", "Sesi"),
    "date": ("Tanggal", "Tanggal Kegiatan", "Hari/Tanggal", "Hari Tanggal", "Tgl", "Tgl."),
    **REFERENCE_COLUMNS,
    "name": ("Nama KIM", "KIM", "Asal KIM", "KIM name"),
    "participant": ("Nama Peserta", "Peserta", "Nama", "Nama Lengkap", "participant"),
}
ATTENDANCE_REQUIRED: tuple[str | tuple[str, ...], ...] = (
    "title",
    "date",
    REFERENCE_REQUIRED,
    "participant",
)
# the headers the blank template and the documentation write
TEMPLATE_HEADERS = ("No", "Nama Kegiatan", "Tanggal", "Nomor KIM.id", "Nama KIM", "Nama Peserta",
                    "Jabatan", "Tanda Tangan")  # fmt: skip
