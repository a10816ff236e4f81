"""Word lists for the demo district: people's names, KIM name words, post titles, notes.

Plain data, so the seed stays readable and the lists can grow without touching the logic. The
people are invented; the places are Lumajang's real kecamatan and desa from the Kemendagri list.
"""

from __future__ import annotations

# The demo accounts: username, role, scope codes, full name, password (printed by `flask demo
# logins`). The seeder holds them to the product's password rule: not a common password and not
# containing the username.
DEMO_USERS: tuple[tuple[str, str, tuple[str, ...], str, str], ...] = (
    ("admin", "admin", ("35.08",), "Rina Kusumawati", "pikp-lumajang-kantor"),
    ("kabid", "kabid", ("35.08",), "Drs. Bambang Hariyanto", "pikp-lumajang-bidang"),
    ("petugas", "petugas", ("35.08.09", "35.08.15"), "Dwi Ayu Lestari", "pikp-lumajang-lapangan"),
    ("viewer", "viewer", ("35.08",), "Agus Prasetyo", "pikp-lumajang-tinjau"),
)

# Well-known KIMs of Lumajang (DESIGN.md §1's Top Konten figures), placed in their desa by code.
# Tukum (Tekung), Kutorenon (Sukodono) and Sumbersari (Rowokangkung) are where those KIMs are;
# Sibedjo is placed in Bedayu (Senduro) for the demo. Posts per week sets how busy each one is.
FAMOUS_KIMS: tuple[tuple[str, str, float], ...] = (
    ("KIM Tukum Mandiri", "35.08.09.2006", 8.0),
    ("KIM Kutorenon", "35.08.15.2005", 5.5),
    ("KIM Sumbersari", "35.08.08.2005", 5.0),
    ("KIM Sibedjo", "35.08.12.2008", 4.0),
)

NAME_WORDS = (
    "Mandiri",
    "Sejahtera",
    "Berdaya",
    "Cerdas",
    "Informasi",
    "Maju",
    "Bersatu",
    "Kreatif",
    "Lestari",
    "Makmur",
    "Harapan",
    "Bangkit",
    "Media",
    "Digital",
    "Sinergi",
    "Rukun",
)

FIRST_NAMES = (
    "Agus",
    "Ahmad",
    "Ani",
    "Bambang",
    "Budi",
    "Dewi",
    "Dian",
    "Eko",
    "Endang",
    "Fajar",
    "Fitri",
    "Hadi",
    "Hendra",
    "Ika",
    "Imam",
    "Joko",
    "Kartini",
    "Lilik",
    "Mochamad",
    "Nur",
    "Puji",
    "Rahmat",
    "Ratna",
    "Rudi",
    "Sari",
    "Siti",
    "Slamet",
    "Sri",
    "Suharto",
    "Sulastri",
    "Taufik",
    "Tri",
    "Wahyu",
    "Wulan",
    "Yanto",
    "Yuli",
)

LAST_NAMES = (
    "Aminah",
    "Budiman",
    "Cahyono",
    "Fauzi",
    "Handayani",
    "Hidayat",
    "Kurniawan",
    "Lestari",
    "Maulana",
    "Mulyani",
    "Nugroho",
    "Pratama",
    "Prasetyo",
    "Purnomo",
    "Rahayu",
    "Santoso",
    "Saputra",
    "Setiawan",
    "Sholeh",
    "Suryani",
    "Susanto",
    "Wahyuni",
    "Wibowo",
    "Widodo",
    "Winarsih",
    "Yulianto",
)

DUSUN = (
    "Krajan",
    "Sumberan",
    "Kebonan",
    "Karanganyar",
    "Ledok",
    "Gondang",
    "Jatisari",
    "Sukorejo",
    "Tegalan",
    "Wetan",
    "Kulon",
    "Kalisat",
)

TOPICS = (
    "UMKM keripik pisang",
    "kopi Senduro",
    "pisang agung",
    "madu klanceng",
    "batik Lumajang",
    "kambing etawa",
    "sayur organik",
    "wisata air terjun",
)

# Titles by content type; {desa}, {dusun}, {topik} and {bulan} are filled in.
TITLES: dict[str, tuple[str, ...]] = {
    "berita": (
        "Kerja bakti di Dusun {dusun}",
        "Posyandu balita di Desa {desa} berjalan lancar",
        "Musyawarah desa membahas RKP Desa {desa}",
        "Pelatihan {topik} untuk ibu-ibu PKK",
        "Panen raya padi di Dusun {dusun}",
        "Sosialisasi cek fakta: jangan mudah percaya hoaks",
        "Penyaluran BLT Dana Desa tahap {tahap}",
        "Pemuda {desa} gelar turnamen bola voli",
        "Gotong royong perbaikan jalan Dusun {dusun}",
        "Vaksinasi hewan ternak di Desa {desa}",
        "Pengajian akbar memperingati hari besar Islam",
        "Karang taruna {desa} tanam seribu pohon",
        "Lomba kebersihan antar-RT di Dusun {dusun}",
        "Pemeriksaan kesehatan lansia di balai desa",
        "Promosi produk {topik} lewat pasar daring",
        "Literasi digital untuk pelajar SMP di {desa}",
    ),
    "galeri": (
        "Foto kegiatan kerja bakti Dusun {dusun}",
        "Dokumentasi posyandu bulan {bulan}",
        "Galeri panen raya di {desa}",
        "Suasana pelatihan {topik}",
        "Dokumentasi musyawarah desa",
        "Galeri lomba agustusan di Dusun {dusun}",
    ),
    "pengumuman": (
        "Pengumuman jadwal posyandu bulan {bulan}",
        "Pengumuman pendaftaran pelatihan {topik}",
        "Pemadaman listrik bergilir di Dusun {dusun}",
        "Pengumuman pembagian BLT Dana Desa tahap {tahap}",
    ),
    "agenda": (
        "Agenda musyawarah desa bulan {bulan}",
        "Agenda kerja bakti Minggu pagi di Dusun {dusun}",
        "Agenda pelatihan {topik}",
        "Agenda rapat pengurus KIM {desa}",
        "Agenda senam bersama di lapangan desa",
    ),
}

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)

KIM_NOTES = (
    "Sekretariat di balai desa.",
    "Pengurus baru dilantik tahun ini.",
    "Butuh pendampingan pembuatan video.",
    "Aktif meliput kegiatan posyandu dan PKK.",
    "Jaringan internet di sekretariat sering terputus.",
)

# Evidence notes for manual measurements, by indicator (K1: the period an SK had lapsed).
EVIDENCE = {
    "K1": "SK pembentukan lama habis masa berlakunya; SK baru belum ditandatangani kepala desa",
    "K3": "Pemantauan lapangan: dokumen AD/ART, struktur pengurus, sekretariat dan buku "
    "administrasi diperiksa",
    "M1": "Dicek dari akun medsos KIM pada akhir periode",
    "M2": "Dihitung dari unggahan medsos selama periode",
    "D1": "Bukti kemandirian: konten potensi desa/UMKM, literasi dan cek fakta, mitra, prestasi",
}

# A petugas's K1 for a KIM whose SK the registry does not hold yet (left waiting for the kabid).
K1_PENDING_NOTE = (
    "SK pembentukan sudah ditandatangani kepala desa; salinan difoto saat kunjungan, nomor dan "
    "tanggalnya belum masuk registri."
)

# The reason the kabid gives for the one value the demo rejects.
REJECT_REASON = (
    "Bukti tidak cukup: foto dokumen yang dilampirkan tidak terbaca. Unggah ulang foto yang jelas "
    "lalu ajukan kembali."
)
