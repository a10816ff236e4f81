"""What audit entries say: the summary templates, the names of actions and entities, and the
fields an entry's changes may name, with the labels the forms use and how each value is shown.

Entries store keys and values (`audit_writer.record`); `audit_render` words them from this table
when they are read, in the reader's language. Every template here is an Indonesian msgid marked
with `N_`, so `flask translate update` puts it in the catalogue; nothing is translated at import
time (the reader's locale is known only when a page is built).

Parameters and pattern captures are typed by their name (`PARAM_KINDS`): a `kecamatan` holds a
region code and shows as the region's name, a `user` holds an account id and shows as its
username, and so on. A new summary template only needs its placeholders named accordingly.

Changes are keyed by field name; a key may be a pattern such as `indicators.{ind}.bands` (a
framework edit) or `{kim}.{indicator}` (a measurement grid), whose captures are typed like
parameters and may appear in the label.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from tracker.models.harvest import HARVEST_ERROR_LABELS, SOURCE_KIND_LABELS
from tracker.models.kim import STATUS_LABELS
from tracker.models.letters import LETTER_STATUS_LABELS
from tracker.models.period import PERIOD_STATE_LABELS
from tracker.models.user import ROLE_LABELS
from tracker.models.visits import FOLLOW_UP_STATUS_LABELS


def N_(msgid: str) -> str:  # noqa: N802 - the extractor's keyword for "a msgid, not yet translated"
    return msgid


# How a value is shown.
TEXT = "text"  # as stored; None as a dash
NUMBER = "number"  # Indonesian separators
DATE = "date"  # ISO date stored, "7 Maret 2025" shown
BOOL = "bool"  # Ya / Tidak
CHOICE = "choice"  # a stored code shown as its (translated) label
REGION = "region"  # a region code shown as the region's name
REGIONS = "regions"  # a list of region codes
USER = "user"  # an account id shown as its username
USERS = "users"  # a list of account ids shown as their usernames
KIM = "kim"  # a KIM id shown as the KIM's name
BANDS = "bands"  # a framework band list [[bound, score], …] as the edit form writes it
COUNTS = "counts"  # {name: count} shown as "name count, …"
DEFINITIONS = "definitions"  # a list of framework parts ({code or name, …}) shown by code/name


@dataclass(frozen=True)
class Value:
    """How one kind of value is shown; `choices` maps stored codes to Indonesian msgids."""

    kind: str = TEXT
    choices: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Field:
    """A changed field: its label (a msgid; may name the captures of its pattern) and value."""

    label: str
    value: Value = Value()


# how the signatory signs (tracker.pdf.letter.SIGN_MODES)
SIGNING_MODE_LABELS = {
    "": N_("Langsung (jabatan sendiri)"),
    "an": N_("a.n. (atas nama pimpinan)"),
    "plt": N_("Plt. (pelaksana tugas)"),
}

LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}  # each in its own language

# The names of a framework definition's parts, for a change the edit form does not offer (the
# definition replaced from a file on the command line).
DEFINITION_PARTS = {
    "name": N_("nama"),
    "weight": N_("bobot"),
    "bands": N_("pita skor"),
    "unit": N_("satuan"),
    "topic": N_("materi pembinaan"),
    "min": N_("nilai minimum"),
    "max": N_("nilai maksimum"),
    "higher_is_better": N_("makin tinggi makin baik"),
    "manual": N_("diisi manual"),
    "kind": N_("jenis"),
    "dimension": N_("dimensi"),
    "factor": N_("pengali skor"),
    "milestones": N_("tonggak"),
}

# Parameters and captures by name.
PARAM_KINDS: dict[str, Value] = {
    "region": Value(REGION),
    "kecamatan": Value(REGION),
    "desa": Value(REGION),
    "user": Value(USER),
    "kim": Value(KIM),
    "role": Value(CHOICE, ROLE_LABELS),
    "tiers": Value(COUNTS),
    "part": Value(CHOICE, DEFINITION_PARTS),
    "visited_on": Value(DATE),
    "due": Value(DATE),
    "date": Value(DATE),
    "harvest_source": Value(CHOICE, SOURCE_KIND_LABELS),
    "harvest_error": Value(CHOICE, HARVEST_ERROR_LABELS),
}

MESSAGES: dict[str, str] = {
    # registry
    "kim.create": N_("Menambah KIM %(name)s"),
    "kim.create.import": N_("Menambah KIM %(name)s (impor baris %(row)s)"),
    "kim.update": N_("Mengubah KIM %(name)s"),
    "kim.update.import": N_("Mengubah KIM %(name)s (impor baris %(row)s)"),
    "kim.deactivate": N_("Menonaktifkan KIM %(name)s"),
    "kim.reactivate": N_("Mengaktifkan kembali KIM %(name)s"),
    "kim.import": N_(
        "Impor registri KIM dari %(file)s: %(created)s KIM baru, %(updated)s diperbarui, "
        "%(unchanged)s tidak berubah, %(invalid)s baris tidak valid"
    ),
    "region.import": N_(
        "Impor wilayah dari %(file)s: %(created)s baru, %(updated)s diubah, %(unchanged)s tetap"
    ),
    "region.import.only": N_(
        "Impor wilayah dari %(file)s (hanya %(region)s): %(created)s baru, %(updated)s diubah, "
        "%(unchanged)s tetap"
    ),
    # activity
    "activity.import_posts": N_(
        "Impor unggahan konten %(file)s: %(created)s baru, %(skipped)s sudah ada, "
        "%(invalid)s baris tidak valid"
    ),
    "activity.import_counts": N_(
        "Impor jumlah konten %(period)s dari %(file)s: %(created)s baru, %(updated)s diubah, "
        "%(unchanged)s tetap, %(invalid)s baris tidak valid"
    ),
    "activity.harvest": N_(
        "Panen unggahan dari website %(kim)s (%(harvest_source)s): %(found)s ditemukan, "
        "%(created)s baru"
    ),
    "activity.harvest_failed": N_("Panen unggahan dari website %(kim)s gagal: %(harvest_error)s"),
    "measurement.grid": N_(
        "Nilai indikator %(period)s, Kecamatan %(kecamatan)s: %(created)s baru, "
        "%(updated)s diubah, %(deleted)s dihapus"
    ),
    "measurement.import": N_(
        "Impor nilai indikator %(period)s dari %(file)s: %(created)s baru, %(updated)s diubah, "
        "%(unchanged)s tetap, %(invalid)s baris tidak valid"
    ),
    "measurement.grid.submitted": N_(
        "Nilai indikator %(period)s, Kecamatan %(kecamatan)s: %(created)s baru, "
        "%(updated)s diubah, %(deleted)s dihapus (diajukan untuk verifikasi)"
    ),
    "measurement.import.submitted": N_(
        "Impor nilai indikator %(period)s dari %(file)s: %(created)s baru, %(updated)s diubah, "
        "%(unchanged)s tetap, %(invalid)s baris tidak valid (diajukan untuk verifikasi)"
    ),
    "measurement.verify": N_("Verifikasi %(count)s nilai indikator %(period)s"),
    "measurement.reject": N_("Tolak %(count)s nilai indikator %(period)s: %(reason)s"),
    # assessment
    "assessment.run": N_(
        "Penilaian periode %(period)s dengan kerangka v%(version)s: %(kims)s KIM dinilai "
        "(%(tiers)s)"
    ),
    # rules
    "framework.create": N_("Kerangka bawaan v%(version)s dipasang dan diaktifkan: %(name)s"),
    "framework.draft": N_("Draf kerangka v%(version)s dibuat dari v%(source)s"),
    "framework.update": N_("Draf kerangka v%(version)s diubah"),
    "framework.activate": N_("Kerangka v%(version)s diaktifkan"),
    "framework.activate.replacing": N_(
        "Kerangka v%(version)s diaktifkan, menggantikan v%(previous)s"
    ),
    "period.create": N_("Periode %(period)s ditambahkan"),
    "period.close": N_("Periode %(period)s ditutup"),
    "period.reopen": N_("Periode %(period)s dibuka kembali: %(reason)s"),
    # accounts
    "user.create": N_("Membuat akun %(user)s (%(role)s)"),
    "user.update": N_("Mengubah akun %(user)s"),
    "notifications.preferences": N_("Mengubah pengaturan pengingat"),
    # scheduler
    "job.request": N_("Meminta penjadwal menjalankan tugas %(job)s sekarang"),
    "user.activate": N_("Mengaktifkan kembali akun %(user)s"),
    "user.deactivate": N_("Menonaktifkan akun %(user)s"),
    "user.password_reset": N_("Mengatur ulang kata sandi %(user)s"),
    "user.password_reset.cli": N_("Mengatur ulang kata sandi %(user)s lewat CLI"),
    "user.password_change": N_("Mengganti kata sandi sendiri"),
    "user.locale": N_("Mengganti bahasa tampilan"),
    "user.logout": N_("Keluar; semua sesi akun ini diakhiri"),
    "api_token.create": N_("Membuat token API %(name)s (%(prefix)s…)"),
    "api_token.revoke": N_("Mencabut token API %(name)s (%(prefix)s…)"),
    # visits
    "visit.create": N_(
        "Mencatat kunjungan pemantauan Kecamatan %(kecamatan)s, %(visited_on)s: %(kims)s KIM, "
        "%(photos)s foto"
    ),
    "follow_up.create": N_("Menambah tindak lanjut untuk %(kim)s, batas %(due)s"),
    "follow_up.close": N_("Tindak lanjut untuk %(kim)s ditandai selesai"),
    "follow_up.drop": N_("Tindak lanjut untuk %(kim)s dibatalkan: %(reason)s"),
    "follow_up.reopen": N_("Tindak lanjut untuk %(kim)s dibuka kembali"),
    # coaching
    "topic.create": N_("Menambah materi pembinaan %(name)s"),
    "topic.update": N_("Mengubah materi pembinaan %(name)s"),
    "topic.delete": N_("Menghapus materi pembinaan %(name)s"),
    "topic.init": N_("Katalog materi pembinaan bawaan dipasang: %(count)s materi"),
    "coaching_session.create": N_("Merencanakan sesi pembinaan %(title)s (%(date)s)"),
    "coaching_session.update": N_("Mengubah sesi pembinaan %(title)s (%(date)s)"),
    "coaching_session.delete": N_(
        "Menghapus sesi pembinaan %(title)s (%(date)s), %(attended)s KIM pernah tercatat hadir"
    ),
    "attendance.record": N_(
        "Daftar hadir sesi %(title)s (%(date)s): %(attended)s KIM hadir, %(changed)s KIM diubah"
    ),
    "attendance.record.import": N_(
        "Daftar hadir sesi %(title)s (%(date)s) dari impor %(file)s: %(attended)s KIM hadir "
        "ditambahkan, %(changed)s KIM diubah"
    ),
    "coaching_session.create.import": N_(
        "Sesi pembinaan %(title)s (%(date)s) dibuat dari impor daftar hadir %(file)s"
    ),
    "attendance.import": N_(
        "Impor daftar hadir dari %(file)s: %(sessions)s sesi baru, %(updated)s sesi ditambah, "
        "%(attended)s kehadiran KIM dan %(names)s nama peserta baru, %(invalid)s baris tidak valid"
    ),
    "material.upload": N_("Mengunggah bahan %(file)s ke sesi %(title)s"),
    "material.delete": N_("Menghapus bahan %(file)s dari sesi %(title)s"),
    # letters
    "office.update": N_("Mengubah pengaturan surat kantor"),
    "office.logo": N_("Mengganti logo kop surat"),
    "office.logo_remove": N_("Menghapus logo kop surat"),
    "letter.issue": N_(
        "Menerbitkan surat %(number)s untuk %(name)s, periode %(period)s (jenjang %(tier)s)"
    ),
    "letter.reissue": N_(
        "Menerbitkan surat %(number)s untuk %(name)s, periode %(period)s (jenjang %(tier)s), "
        "pengganti surat %(replaced)s"
    ),
    "letter.revoke": N_("Mencabut surat %(number)s untuk %(name)s: %(reason)s"),
    "letter.batch": N_("Memulai penerbitan serentak %(count)s surat (%(filter)s)"),
    "letter.batch_resume": N_("Melanjutkan penerbitan serentak batch %(batch)s (%(filter)s)"),
    "letter.recap": N_("Menerbitkan laporan hasil evaluasi KIM %(number)s, periode %(period)s"),
    # demo
    "demo.seed": N_(
        "Data demo %(region)s dimuat: %(kims)s KIM, %(posts)s unggahan, "
        "%(measurements)s nilai manual"
    ),
}

# The action filter's choices and the table's action column.
ACTION_LABELS: dict[str, str] = {
    "kim.create": N_("Tambah KIM"),
    "kim.update": N_("Ubah KIM"),
    "kim.deactivate": N_("Nonaktifkan KIM"),
    "kim.reactivate": N_("Aktifkan kembali KIM"),
    "kim.import": N_("Impor registri KIM"),
    "region.import": N_("Impor wilayah"),
    "activity.import_posts": N_("Impor unggahan konten"),
    "activity.import_counts": N_("Impor jumlah konten"),
    "activity.harvest": N_("Panen unggahan website"),
    "activity.harvest_failed": N_("Panen unggahan website gagal"),
    "measurement.grid": N_("Isi nilai indikator"),
    "measurement.import": N_("Impor nilai indikator"),
    "measurement.verify": N_("Verifikasi nilai indikator"),
    "measurement.reject": N_("Tolak nilai indikator"),
    "assessment.run": N_("Jalankan penilaian"),
    "framework.create": N_("Pasang kerangka bawaan"),
    "framework.draft": N_("Buat draf kerangka"),
    "framework.update": N_("Ubah draf kerangka"),
    "framework.activate": N_("Aktifkan kerangka"),
    "period.create": N_("Tambah periode"),
    "period.close": N_("Tutup periode"),
    "period.reopen": N_("Buka kembali periode"),
    "user.create": N_("Buat akun"),
    "user.update": N_("Ubah akun"),
    "notifications.preferences": N_("Ubah pengaturan pengingat"),
    "job.request": N_("Jalankan tugas sekarang"),
    "user.activate": N_("Aktifkan kembali akun"),
    "user.deactivate": N_("Nonaktifkan akun"),
    "user.password_reset": N_("Atur ulang kata sandi"),
    "user.password_change": N_("Ganti kata sandi sendiri"),
    "user.locale": N_("Ganti bahasa tampilan"),
    "user.logout": N_("Keluar"),
    "api_token.create": N_("Buat token API"),
    "api_token.revoke": N_("Cabut token API"),
    "visit.create": N_("Catat kunjungan pemantauan"),
    "follow_up.create": N_("Tambah tindak lanjut"),
    "follow_up.close": N_("Tandai tindak lanjut selesai"),
    "follow_up.drop": N_("Batalkan tindak lanjut"),
    "follow_up.reopen": N_("Buka kembali tindak lanjut"),
    "topic.create": N_("Tambah materi pembinaan"),
    "topic.update": N_("Ubah materi pembinaan"),
    "topic.delete": N_("Hapus materi pembinaan"),
    "topic.init": N_("Pasang katalog materi bawaan"),
    "coaching_session.create": N_("Rencanakan sesi pembinaan"),
    "coaching_session.update": N_("Ubah sesi pembinaan"),
    "coaching_session.delete": N_("Hapus sesi pembinaan"),
    "attendance.record": N_("Isi daftar hadir"),
    "attendance.import": N_("Impor daftar hadir"),
    "material.upload": N_("Unggah bahan sesi"),
    "material.delete": N_("Hapus bahan sesi"),
    "office.update": N_("Ubah pengaturan surat"),
    "office.logo": N_("Ganti logo kop surat"),
    "office.logo_remove": N_("Hapus logo kop surat"),
    "letter.issue": N_("Terbitkan surat"),
    "letter.revoke": N_("Cabut surat"),
    "letter.batch": N_("Terbitkan surat serentak"),
    "letter.batch_resume": N_("Lanjutkan surat serentak"),
    "letter.recap": N_("Terbitkan laporan hasil evaluasi"),
    "demo.seed": N_("Muat data demo"),
}

# The entity filter's choices.
ENTITY_LABELS: dict[str, str] = {
    "kim": N_("KIM"),
    "region": N_("Wilayah"),
    "content_post": N_("Unggahan konten"),
    "content_count": N_("Jumlah konten"),
    "measurement": N_("Nilai indikator"),
    "framework": N_("Kerangka penilaian"),
    "period": N_("Periode"),
    "user": N_("Akun pengguna"),
    "api_token": N_("Token API"),
    "monitoring_visit": N_("Kunjungan pemantauan"),
    "follow_up": N_("Tindak lanjut"),
    "topic": N_("Materi pembinaan"),
    "coaching_session": N_("Sesi pembinaan"),
    "office": N_("Pengaturan surat"),
    "letter": N_("Surat"),
    "job_request": N_("Permintaan tugas penjadwal"),
    "letter_batch": N_("Penerbitan surat serentak"),
}

# Labels are the forms' own (tests/common/test_audit_vocabulary.py holds them to it).
FIELDS: dict[str, dict[str, Field]] = {
    "kim": {
        "name": Field(N_("Nama KIM")),
        "desa_code": Field(N_("Desa/Kelurahan"), Value(REGION)),
        "kimid_number": Field(N_("Nomor KIM.id")),
        "website": Field(N_("Website")),
        "sk_number": Field(N_("No. SK pembentukan")),
        "sk_date": Field(N_("Tanggal SK"), Value(DATE)),
        "chair": Field(N_("Ketua")),
        "phone": Field(N_("No. HP")),
        "email": Field(N_("Email")),
        "members": Field(N_("Jumlah anggota"), Value(NUMBER)),
        "status": Field(N_("Status"), Value(CHOICE, STATUS_LABELS)),
        "notes": Field(N_("Catatan")),
        "channels": Field(N_("Media sosial"), Value(TEXT)),
    },
    "user": {
        "username": Field(N_("Nama pengguna")),
        "full_name": Field(N_("Nama lengkap")),
        "role": Field(N_("Peran"), Value(CHOICE, ROLE_LABELS)),
        "is_active": Field(N_("Akun aktif"), Value(BOOL)),
        "scopes": Field(N_("Wilayah kerja"), Value(REGIONS)),
        "locale": Field(N_("Bahasa tampilan"), Value(CHOICE, LANGUAGE_NAMES)),
        "email": Field(N_("E-mail untuk pengingat")),
        "muted": Field(N_("Pengingat yang dimatikan")),
    },
    "api_token": {
        "name": Field(N_("Nama token")),
    },
    "period": {
        "code": Field(N_("Kode periode")),
        "start_date": Field(N_("Tanggal mulai"), Value(DATE)),
        "end_date": Field(N_("Tanggal selesai"), Value(DATE)),
        "state": Field(N_("Status"), Value(CHOICE, PERIOD_STATE_LABELS)),
    },
    "framework": {
        "name": Field(N_("Nama kerangka")),
        "description": Field(N_("Keterangan")),
        "dimensions": Field(N_("Dimensi"), Value(DEFINITIONS)),
        "indicators": Field(N_("Indikator"), Value(DEFINITIONS)),
        "tiers": Field(N_("Jenjang"), Value(DEFINITIONS)),
        "conditions": Field(N_("Syarat tambahan"), Value(DEFINITIONS)),
        "dimensions.{dim}.weight": Field(N_("Bobot dimensi %(dim)s"), Value(NUMBER)),
        "dimensions.{dim}.name": Field(N_("Nama dimensi %(dim)s")),
        "indicators.{ind}.weight": Field(N_("Bobot indikator %(ind)s"), Value(NUMBER)),
        "indicators.{ind}.bands": Field(N_("Pita skor %(ind)s"), Value(BANDS)),
        "indicators.{ind}.name": Field(N_("Nama indikator %(ind)s")),
        "indicators.{ind}.{part}": Field(N_("Indikator %(ind)s: %(part)s")),
        "tiers.{tier}.min": Field(N_("Batas bawah jenjang %(tier)s"), Value(NUMBER)),
        "tiers.{tier}.name": Field(N_("Nama jenjang %(tier)s")),
        "conditions.{tier}/{target}.min": Field(
            N_("Ambang syarat %(tier)s (%(target)s)"), Value(NUMBER)
        ),
        "conditions.{tier}/{target}.{part}": Field(N_("Syarat %(tier)s (%(target)s): %(part)s")),
        "stability.max_promotion": Field(N_("Kenaikan maksimum per periode"), Value(NUMBER)),
        "stability.demotion_margin": Field(N_("Selisih turun langsung"), Value(NUMBER)),
    },
    "measurement": {
        "{kim}.{indicator}": Field(N_("%(kim)s, indikator %(indicator)s"), Value(NUMBER)),
    },
    "region": {
        "{region}.name": Field(N_("Nama %(region)s")),
    },
    "monitoring_visit": {
        "kecamatan_code": Field(N_("Kecamatan"), Value(REGION)),
        "started_on": Field(N_("Tanggal kunjungan"), Value(DATE)),
        "ended_on": Field(N_("Sampai tanggal"), Value(DATE)),
        "team": Field(N_("Anggota tim"), Value(USERS)),
        "team_names": Field(N_("Anggota tim lain")),
        "notes": Field(N_("Catatan umum")),
        "gps": Field(N_("Lokasi GPS")),
        "kims": Field(N_("KIM yang dikunjungi")),
    },
    "follow_up": {
        "kim_id": Field(N_("KIM"), Value(KIM)),
        "visit_id": Field(N_("Kunjungan"), Value(NUMBER)),
        "recommendation": Field(N_("Rekomendasi")),
        "owner_id": Field(N_("Penanggung jawab"), Value(USER)),
        "due_on": Field(N_("Batas waktu"), Value(DATE)),
        "status": Field(N_("Status"), Value(CHOICE, FOLLOW_UP_STATUS_LABELS)),
        "evidence": Field(N_("Bukti atau alasan")),
        "evidence_photo_id": Field(N_("Foto bukti"), Value(NUMBER)),
        "closed_on": Field(N_("Tanggal selesai"), Value(DATE)),
    },
    "topic": {
        "name": Field(N_("Nama materi")),
        "description": Field(N_("Keterangan")),
        "indicators": Field(N_("Indikator yang diperbaiki")),
    },
    "coaching_session": {
        "title": Field(N_("Judul sesi")),
        "start_date": Field(N_("Tanggal mulai"), Value(DATE)),
        "end_date": Field(N_("Tanggal selesai"), Value(DATE)),
        "location": Field(N_("Tempat")),
        "organiser": Field(N_("Penyelenggara")),
        "speakers": Field(N_("Narasumber")),
        "jp": Field(N_("Jam pelajaran (JP)"), Value(NUMBER)),
        "notes": Field(N_("Catatan")),
        "topics": Field(N_("Materi pembinaan")),
        "invited": Field(N_("KIM yang diundang")),
        "guests": Field(N_("Peserta tanpa KIM")),
        "{kim}.attended": Field(N_("Hadir: %(kim)s"), Value(BOOL)),
        "{kim}.participants": Field(N_("Jumlah peserta %(kim)s"), Value(NUMBER)),
        "{kim}.names": Field(N_("Nama peserta %(kim)s")),
    },
    "office": {
        "government": Field(N_("Baris pemerintah daerah")),
        "agency": Field(N_("Nama dinas")),
        "address": Field(N_("Alamat kantor")),
        "phone": Field(N_("Telepon")),
        "website": Field(N_("Laman")),
        "email": Field(N_("Pos-el")),
        "place": Field(N_("Tempat penandatanganan")),
        "signatory_title": Field(N_("Jabatan penanda tangan")),
        "signatory_name": Field(N_("Nama penanda tangan (dengan gelar)")),
        "signatory_rank": Field(N_("Pangkat/golongan")),
        "signatory_nip": Field(N_("NIP")),
        "signatory_mode": Field(N_("Cara penandatanganan"), Value(CHOICE, SIGNING_MODE_LABELS)),
        "signatory_principal": Field(N_("Atas nama (jabatan yang diwakili)")),
        "tembusan": Field(N_("Tembusan")),
        "number_template": Field(N_("Format nomor surat")),
        "classification_code": Field(N_("Kode klasifikasi arsip")),
        "unit_code": Field(N_("Kode unit")),
        "public_base_url": Field(N_("Alamat publik aplikasi")),
        "logo": Field(N_("Logo kop surat"), Value(BOOL)),
    },
    "letter": {
        "status": Field(N_("Status"), Value(CHOICE, LETTER_STATUS_LABELS)),
    },
}

# a key nobody described (never written by this version): shown under this label, not raw
UNKNOWN_FIELD = N_("Isian lain")


@dataclass(frozen=True)
class FieldMatch:
    field: Field
    captures: dict[str, str]


def _compile(pattern: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", pattern)
    regex = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
    )
    return re.compile(f"^{regex}$")


# exact names first, then patterns in the order written (the specific before the general)
_PATTERNS: dict[str, list[tuple[re.Pattern[str], Field]]] = {
    entity: [(_compile(p), f) for p, f in fields.items() if "{" in p]
    for entity, fields in FIELDS.items()
}


def find_field(entity: str, key: str) -> FieldMatch | None:
    """The description of a change's key, with what its pattern captured; None when unknown."""
    fields = FIELDS.get(entity, {})
    if key in fields and "{" not in key:
        return FieldMatch(fields[key], {})
    for regex, described in _PATTERNS.get(entity, []):
        match = regex.match(key)
        if match:
            return FieldMatch(described, match.groupdict())
    return None
