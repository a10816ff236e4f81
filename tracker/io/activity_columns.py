"""Column names of the three activity imports, their templates, and the content-type cell.

Headers are matched by `tracker.io.tabular.header_key` (case, spacing and punctuation ignored), in
Indonesian or English. A KIM is named by its KIM.id number, or by name + desa (+ kecamatan), the
same way in every file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tracker.io.kim_columns import REFERENCE_COLUMNS, REFERENCE_REQUIRED
from tracker.io.values import CellError
from tracker.text import fold

KIND_POSTS = "unggahan"
KIND_COUNTS = "jumlah"
KIND_MEASURES = "pengukuran"
KINDS = (KIND_POSTS, KIND_COUNTS, KIND_MEASURES)

KIM_COLUMNS = REFERENCE_COLUMNS

POST_COLUMNS: dict[str, tuple[str, ...]] = {
    **KIM_COLUMNS,
    "type": ("Jenis", "type", "Jenis Konten", "Tipe", "content type"),
    "date": ("Tanggal", "date", "Tanggal Unggah", "Tanggal Terbit", "published"),
    "title": ("Judul", "title"),
    "url": ("Tautan", "URL", "Link", "Alamat"),
}

COUNT_FIELDS = ("berita", "galeri", "pengumuman", "agenda")
COUNT_COLUMNS: dict[str, tuple[str, ...]] = {
    **KIM_COLUMNS,
    "berita": ("Berita", "news"),
    "galeri": ("Galeri", "gallery"),
    "pengumuman": ("Pengumuman", "announcement", "announcements"),
    "agenda": ("Agenda", "agenda"),
}

MEASURE_COLUMNS: dict[str, tuple[str, ...]] = {
    **KIM_COLUMNS,
    "indicator": ("Indikator", "Kode Indikator", "indicator", "indicator code", "kode"),
    "value": ("Nilai", "value"),
    "note": ("Catatan", "note", "Bukti", "Keterangan", "evidence"),
}

COLUMNS = {KIND_POSTS: POST_COLUMNS, KIND_COUNTS: COUNT_COLUMNS, KIND_MEASURES: MEASURE_COLUMNS}
# a tuple: one of these columns (a row names its KIM by number or by name)
REQUIRED: dict[str, tuple[str | tuple[str, ...], ...]] = {
    KIND_POSTS: (REFERENCE_REQUIRED, "type", "date"),
    KIND_COUNTS: (REFERENCE_REQUIRED, *COUNT_FIELDS),
    KIND_MEASURES: (REFERENCE_REQUIRED, "indicator", "value"),
}


_CONTENT_TYPES = {
    "berita": "berita",
    "news": "berita",
    "galeri": "galeri",
    "gallery": "galeri",
    "foto": "galeri",
    "pengumuman": "pengumuman",
    "announcement": "pengumuman",
    "agenda": "agenda",
    "event": "agenda",
    "kegiatan": "agenda",
}


def content_type_of(word: object) -> str | None:
    """The content type a word names (a category "Pengumuman", a tag "gallery"), or None."""
    return _CONTENT_TYPES.get(fold(str(word or "")))


def parse_content_type(raw: object) -> str:
    """Berita/News, Galeri/Gallery, Pengumuman/Announcement, Agenda (any case) → berita… ."""
    key = fold(str(raw or ""))
    if not key:
        raise CellError("jenis konten kosong")
    found = _CONTENT_TYPES.get(key)
    if found is None:
        raise CellError(f"jenis '{raw}' tidak dikenal; isi berita, galeri, pengumuman atau agenda")
    return found


@dataclass(frozen=True)
class Template:
    headers: Sequence[str]
    example: Sequence[Any]
    filename: str


TEMPLATES = {
    KIND_POSTS: Template(
        headers=(
            "Nomor KIM.id",
            "Nama KIM",
            "Desa",
            "Kecamatan",
            "Jenis",
            "Tanggal",
            "Judul",
            "Tautan",
        ),
        example=(
            "",
            "KIM Tukum Mandiri",
            "Tukum",
            "Tekung",
            "berita",
            "07/03/2025",
            "Kerja bakti membersihkan saluran desa",
            "https://tukum.kim.id/berita/kerja-bakti",
        ),
        filename="templat-unggahan-konten",
    ),
    KIND_COUNTS: Template(
        headers=(
            "Nomor KIM.id",
            "Nama KIM",
            "Desa",
            "Kecamatan",
            "Berita",
            "Galeri",
            "Pengumuman",
            "Agenda",
        ),
        example=("", "KIM Tukum Mandiri", "Tukum", "Tekung", 554, 201, 29, 149),
        filename="templat-jumlah-konten",
    ),
    KIND_MEASURES: Template(
        headers=("Nomor KIM.id", "Nama KIM", "Desa", "Kecamatan", "Indikator", "Nilai", "Catatan"),
        example=(
            "",
            "KIM Tukum Mandiri",
            "Tukum",
            "Tekung",
            "K3",
            3,
            "AD/ART, struktur, sekretariat",
        ),
        filename="templat-nilai-indikator",
    ),
}
