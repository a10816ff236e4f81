"""Where an indicator value comes from, in one vocabulary for every page that says it.

The assessment breakdown of a KIM, the framework page, the data-entry grid and the verification
page name the source of a value with the same words: *registri* (K1/K2 from the SK and KIM.id
fields of the registry), *unggahan* (computed from the KIM's website posts), *unggahan
(dipanen)* (the same, some of the posts read from the website by the activity harvest),
*rekap per periode* (per-period totals, the Top Konten figures), *diajukan* (entered by a
petugas, not counted until verified), *terverifikasi* (entered or verified by an admin or kabid:
it counts and overrides the others), *daftar hadir* (P1, from the coaching attendance recorded),
*tindak lanjut* (P2, from the follow-ups of monitoring visits), *ketentuan* (a value set by a
rule because nothing is due: P2 when no follow-up is due).

`ORIGINS` says, for each indicator the inputs service knows (`inputs.collect_inputs`), which of
those sources can feed it, how, and what to do when its value is missing. An indicator a framework
version adds is entered by hand only (`origin` answers for it too).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from tracker.models.activity import (
    MEASUREMENT_REJECTED,
    MEASUREMENT_SUBMITTED,
    MEASUREMENT_VERIFIED,
)
from tracker.services.assessment.inputs import (
    SOURCE_ATTENDANCE,
    SOURCE_COMPUTED,
    SOURCE_COUNTS,
    SOURCE_DEFAULT,
    SOURCE_FOLLOW_UPS,
    SOURCE_HARVESTED,
    SOURCE_MANUAL,
    SOURCE_REGISTRY,
)

MISSING = "missing"

# The source of a value the assessment counted, and the state of an entry (a verified entry is the
# source "manual" of the value it gives).
SOURCE_LABELS: dict[str, LazyString] = {
    SOURCE_REGISTRY: _l("registri"),
    SOURCE_COMPUTED: _l("unggahan"),
    SOURCE_HARVESTED: _l("unggahan (dipanen)"),
    SOURCE_COUNTS: _l("rekap per periode"),
    SOURCE_MANUAL: _l("terverifikasi"),
    MEASUREMENT_VERIFIED: _l("terverifikasi"),
    SOURCE_ATTENDANCE: _l("daftar hadir"),
    SOURCE_FOLLOW_UPS: _l("tindak lanjut"),
    SOURCE_DEFAULT: _l("ketentuan"),
    MEASUREMENT_SUBMITTED: _l("diajukan"),
    MEASUREMENT_REJECTED: _l("ditolak"),
    MISSING: _l("data belum ada"),
}

# What each word means, in the order the legend lists them.
SOURCE_MEANINGS: tuple[tuple[str, LazyString], ...] = (
    (
        SOURCE_REGISTRY,
        _l(
            "dari data registri KIM: K1 dari nomor dan tanggal SK, K2 dari nomor KIM.id atau "
            "alamat situs"
        ),
    ),
    (SOURCE_COMPUTED, _l("dihitung dari unggahan website KIM (KIM.id) yang diimpor, bertanggal")),
    (
        SOURCE_HARVESTED,
        _l(
            "dihitung dari unggahan bertanggal, sebagian atau seluruhnya dipanen otomatis dari "
            "website KIM (umpan RSS/Atom, API WordPress atau peta situs)"
        ),
    ),
    (
        SOURCE_COUNTS,
        _l(
            "dihitung dari jumlah konten per periode (angka Top Konten) bila unggahannya tidak "
            "diimpor; tanpa tanggal, jadi W2 dan W4 tidak dapat dihitung darinya"
        ),
    ),
    (
        SOURCE_ATTENDANCE,
        _l("dihitung dari daftar hadir sesi pembinaan yang dicatat di menu Pembinaan"),
    ),
    (
        SOURCE_FOLLOW_UPS,
        _l("dihitung dari tindak lanjut rekomendasi pemantauan yang dicatat di menu Tindak Lanjut"),
    ),
    (
        MEASUREMENT_SUBMITTED,
        _l("diisi petugas, belum dihitung sampai admin atau kabid memverifikasinya"),
    ),
    (
        SOURCE_MANUAL,
        _l(
            "diisi atau diverifikasi admin atau kabid (tercatat siapa dan kapan): dihitung, dan "
            "menggantikan nilai dari sumber lain"
        ),
    ),
    (MEASUREMENT_REJECTED, _l("ditolak admin atau kabid dengan alasan: tidak dihitung")),
    (SOURCE_DEFAULT, _l("nilai menurut aturan karena datanya belum dicatat di Jenjang")),
    (MISSING, _l("tidak ada sumber yang memberi nilai: skor indikator 0")),
)


@dataclass(frozen=True)
class Origin:
    """Where one indicator's value comes from and what to do when it has none."""

    sources: tuple[str, ...]  # the sources that can feed it, a verified entry last
    how: LazyString
    when_missing: LazyString


_ENTERED = _l(
    "Diisi di lembar isian Data Aktivitas (atau diimpor) sesudah pemantauan; nilai dari petugas "
    "diajukan dan dihitung setelah admin atau kabid memverifikasinya."
)
_ENTER_IT = _l("Isi nilainya di lembar isian Data Aktivitas untuk periode ini.")
_IMPORT_POSTS = _l("Impor unggahan KIM.id bertanggal di Data Aktivitas.")

ORIGINS: dict[str, Origin] = {
    "K1": Origin(
        (SOURCE_REGISTRY, SOURCE_MANUAL),
        _l("Registri: 'ya' bila data KIM memuat nomor dan tanggal SK pembentukan."),
        _l(
            "Isi nomor dan tanggal SK di data registri KIM (atau ajukan K1 di Data Aktivitas bila "
            "SK ada tetapi belum tercatat)."
        ),
    ),
    "K2": Origin(
        (SOURCE_REGISTRY, SOURCE_MANUAL),
        _l("Registri: 'ya' bila data KIM memuat nomor KIM.id atau alamat situs."),
        _l("Isi nomor KIM.id atau alamat situs KIM di data registri KIM."),
    ),
    "K3": Origin(
        (SOURCE_MANUAL,),
        _l(
            "Butir kelembagaan (AD/ART, struktur, sekretariat, administrasi) yang ditemukan saat "
            "pemantauan, diisi di lembar isian Data Aktivitas; nilai dari petugas diajukan dan "
            "dihitung setelah admin atau kabid memverifikasinya."
        ),
        _ENTER_IT,
    ),
    "W1": Origin(
        (SOURCE_COMPUTED, SOURCE_HARVESTED, SOURCE_COUNTS, SOURCE_MANUAL),
        _l(
            "Berita dalam periode dibagi jumlah bulannya, dari unggahan; tanpa unggahan dalam "
            "periode, dari rekap per periode."
        ),
        _l("Impor unggahan KIM.id atau rekap per periode (Top Konten) di Data Aktivitas."),
    ),
    "W2": Origin(
        (SOURCE_COMPUTED, SOURCE_HARVESTED, SOURCE_MANUAL),
        _l(
            "Persen minggu periode yang berisi paling sedikit satu unggahan: hanya dari unggahan "
            "bertanggal (rekap per periode tidak memuat tanggal)."
        ),
        _IMPORT_POSTS,
    ),
    "W3": Origin(
        (SOURCE_COMPUTED, SOURCE_HARVESTED, SOURCE_COUNTS, SOURCE_MANUAL),
        _l("Jenis konten (berita, galeri, pengumuman, agenda) yang dipakai dalam periode."),
        _l("Impor unggahan KIM.id atau rekap per periode (Top Konten) di Data Aktivitas."),
    ),
    "W4": Origin(
        (SOURCE_COMPUTED, SOURCE_HARVESTED, SOURCE_MANUAL),
        _l(
            "Hari dari unggahan terakhir sampai akhir periode: hanya dari unggahan bertanggal "
            "(rekap per periode tidak memuat tanggal)."
        ),
        _IMPORT_POSTS,
    ),
    "M1": Origin(
        (SOURCE_MANUAL,),
        _l(
            "Diisi dengan tangan: unggahan media sosial tidak tercatat bertanggal di Jenjang, jadi "
            "petugas menghitung dari akun KIM kanal yang aktif 30 hari terakhir periode; nilai "
            "dari petugas dihitung setelah admin atau kabid memverifikasinya."
        ),
        _l("Periksa akun medsos KIM dan isi M1 di lembar isian Data Aktivitas."),
    ),
    "M2": Origin(
        (SOURCE_MANUAL,),
        _l(
            "Diisi dengan tangan: petugas menghitung unggahan media sosial per bulan dari akun "
            "KIM; nilai dari petugas dihitung setelah admin atau kabid memverifikasinya."
        ),
        _l("Hitung unggahan medsos KIM dan isi M2 di lembar isian Data Aktivitas."),
    ),
    "P1": Origin(
        (SOURCE_ATTENDANCE, SOURCE_MANUAL),
        _l(
            "Sesi pembinaan yang dihadiri KIM dalam 12 bulan sampai akhir periode, dari daftar "
            "hadir yang dicatat di menu Pembinaan; nilai P1 terverifikasi menggantikannya."
        ),
        _l("Catat kehadiran KIM di daftar hadir sesi pembinaan (menu Pembinaan)."),
    ),
    "P2": Origin(
        (SOURCE_FOLLOW_UPS, SOURCE_DEFAULT, SOURCE_MANUAL),
        _l(
            "Persen tindak lanjut rekomendasi pemantauan yang jatuh tempo sampai akhir periode dan "
            "sudah selesai (yang dibatalkan tidak dihitung); tanpa tindak lanjut jatuh tempo, "
            "skor 100 menurut ketentuan. Nilai P2 terverifikasi menggantikannya."
        ),
        _l("Catat dan tutup tindak lanjut rekomendasi di menu Tindak Lanjut."),
    ),
    "D1": Origin(
        (SOURCE_MANUAL,),
        _l(
            "Bukti kemandirian (konten potensi/UMKM rutin, literasi/cek fakta, mitra/dana "
            "non-APBD, prestasi) yang ditemukan saat pemantauan, diisi di lembar isian Data "
            "Aktivitas; nilai dari petugas dihitung setelah admin atau kabid memverifikasinya."
        ),
        _ENTER_IT,
    ),
}

_ENTERED_ONLY = Origin((SOURCE_MANUAL,), _ENTERED, _ENTER_IT)


def origin(code: str) -> Origin:
    """The origin of an indicator; one the inputs service does not compute is entered by hand."""
    return ORIGINS.get(code, _ENTERED_ONLY)


def source_label(source: str | None) -> str:
    """The word for a source or entry state ("registri", "diajukan"); a dash when unknown."""
    label = SOURCE_LABELS.get(source or "")
    return "—" if label is None else str(label)
