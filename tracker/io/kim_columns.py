"""Columns of the KIM registry spreadsheet: the header spellings offices use, and the export order.

The import matches headers with `tabular.header_key` (case, spacing and punctuation ignored), so
"NAMA KIM", " desa/kelurahan " and "Nomor KIM.id" all find their field. The export writes the
first spelling of each field, which the import reads back.
"""

from __future__ import annotations

# canonical field -> accepted headers; the first one is what the export and the template write
BASE_COLUMNS: dict[str, tuple[str, ...]] = {
    "kimid": ("Nomor KIM.id", "kimid", "KIM.id", "No. KIM.id", "Nomor KIMid", "ID KIM"),
    "name": ("Nama KIM", "KIM", "Nama", "Nama Kelompok"),
    "desa": ("Desa/Kelurahan", "Desa", "Kelurahan", "Nama Desa", "Desa/Kel"),
    "kecamatan": ("Kecamatan", "Kec", "Nama Kecamatan"),
    "desa_code": ("Kode Desa", "Kode Wilayah", "Kode Desa/Kelurahan", "Kode Kemendagri"),
    "kabupaten": ("Kabupaten", "Kabupaten/Kota", "Kab", "Kota"),
    "sk_number": ("No. SK", "Nomor SK", "No SK Pembentukan", "SK"),
    "sk_date": ("Tanggal SK", "Tgl SK", "Tgl. SK", "Tanggal SK Pembentukan"),
    "chair": ("Ketua", "Nama Ketua", "Ketua KIM"),
    "phone": ("No. HP", "Nomor HP", "HP", "No. Telp", "Telepon", "No. HP Ketua", "Kontak"),
    "email": ("Email", "E-mail", "Surel"),
    "website": ("Website", "Situs", "Situs Web", "Alamat Website", "Web", "URL"),
    "members": ("Jumlah Anggota", "Anggota", "Jml Anggota"),
    "status": ("Status",),
    "notes": ("Catatan", "Keterangan", "Ket"),
}

# one column per social platform; a cell may hold several URLs separated by spaces or commas
CHANNEL_COLUMNS: dict[str, tuple[str, ...]] = {
    "facebook": ("Facebook", "FB"),
    "instagram": ("Instagram", "IG"),
    "youtube": ("YouTube",),
    "tiktok": ("TikTok",),
    "x": ("X (Twitter)", "X", "Twitter"),
    "whatsapp": ("WhatsApp", "Saluran WhatsApp"),
    "lainnya": ("Medsos Lainnya", "Kanal Lainnya"),
}

CHANNEL_PREFIX = "ch_"


def channel_key(platform: str) -> str:
    return CHANNEL_PREFIX + platform


COLUMNS: dict[str, tuple[str, ...]] = {
    **BASE_COLUMNS,
    **{channel_key(p): names for p, names in CHANNEL_COLUMNS.items()},
}

PLATFORM_LABELS: dict[str, str] = {
    "facebook": "Facebook",
    "instagram": "Instagram",
    "youtube": "YouTube",
    "tiktok": "TikTok",
    "x": "X (Twitter)",
    "whatsapp": "WhatsApp",
    "lainnya": "Lainnya",
}

EXPORT_FIELDS: tuple[str, ...] = tuple(COLUMNS)


def header(field: str) -> str:
    """The column title written for a field."""
    return COLUMNS[field][0]


EXPORT_HEADERS: tuple[str, ...] = tuple(header(f) for f in EXPORT_FIELDS)


# How any other file (posts, totals, measurements, attendance lists…) names a KIM: its KIM.id
# number, or its name with its desa (and kecamatan, or the desa's code).
REFERENCE_COLUMNS: dict[str, tuple[str, ...]] = {
    "kimid": ("Nomor KIM.id", "kimid", "No KIM.id", "KIM.id", "Nomor KIM id", "kim id"),
    "name": ("Nama KIM", "KIM", "Nama", "name", "KIM name"),
    "desa": ("Desa", "Desa/Kelurahan", "Kelurahan", "Nama Desa", "village"),
    "kecamatan": ("Kecamatan", "Kec", "Kec.", "district", "subdistrict"),
    "desa_code": ("Kode Desa", "Kode Wilayah", "village code"),
}
REFERENCE_REQUIRED = ("kimid", "name")  # one of them: by number or by name
