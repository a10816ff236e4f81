"""The activity harvest's memory of each KIM's website (tracker/services/activity/harvest.py):
which source it found, the validators for a conditional GET, and how the last run ended."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base
from tracker.models.kim import Kim

# What a site offered (the source kinds, in the order they are tried).
SOURCE_FEED = "feed"  # RSS or Atom
SOURCE_WORDPRESS = "wordpress"  # /wp-json/wp/v2/posts
SOURCE_SITEMAP = "sitemap"  # a sitemap with lastmod
SOURCE_KINDS = (SOURCE_FEED, SOURCE_WORDPRESS, SOURCE_SITEMAP)

# How the last run ended.
HARVEST_OK = "ok"  # the source was read (posts found, maybe none new)
HARVEST_NOT_MODIFIED = "not_modified"  # the source answered 304: nothing read, nothing written
HARVEST_ERROR = "error"  # see error_code and error_detail
HARVEST_STATUSES = (HARVEST_OK, HARVEST_NOT_MODIFIED, HARVEST_ERROR)


class HarvestState(Base):
    """One row per KIM harvested at least once. The source and its validators are those of the
    last run that read it; the status, counts and error are those of the last run."""

    __tablename__ = "harvest_state"

    kim_id: Mapped[int] = mapped_column(
        ForeignKey("kim.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    source_kind: Mapped[str | None] = mapped_column(String(10))
    source_url: Mapped[str | None] = mapped_column(String(500))
    etag: Mapped[str | None] = mapped_column(String(200))
    last_modified: Mapped[str | None] = mapped_column(String(64))
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str | None] = mapped_column(String(12))
    found: Mapped[int] = mapped_column(Integer, default=0)
    new: Mapped[int] = mapped_column(Integer, default=0)
    error_code: Mapped[str | None] = mapped_column(String(20))
    error_detail: Mapped[str | None] = mapped_column(String(500))

    kim: Mapped[Kim] = relationship()


# Indonesian msgids (the pages and the audit log translate them when shown).
SOURCE_KIND_LABELS = {
    SOURCE_FEED: "umpan RSS/Atom",
    SOURCE_WORDPRESS: "API WordPress",
    SOURCE_SITEMAP: "peta situs",
}
HARVEST_STATUS_LABELS = {
    HARVEST_OK: "Berhasil",
    HARVEST_NOT_MODIFIED: "Tidak ada perubahan",
    HARVEST_ERROR: "Gagal",
}
# The error codes (tracker/io/web_fetch.py and tracker/services/activity/harvest_sources.py).
HARVEST_ERROR_LABELS = {
    "private": "alamat situs mengarah ke jaringan privat atau lokal; ditolak",
    "scheme": "alamat atau pengalihan bukan http(s); ditolak",
    "redirects": "terlalu banyak pengalihan",
    "too_large": "berkas melebihi batas ukuran",
    "timeout": "situs tidak menjawab dalam batas waktu",
    "network": "situs tidak dapat dihubungi",
    "robots": "robots.txt situs melarang pembacaan",
    "malformed": "umpan atau peta situs rusak, tidak dapat dibaca",
    "http": "sumber yang dikenal tidak lagi tersedia",
    "no_source": "tidak ditemukan umpan, API WordPress, atau peta situs",
    "internal": "kesalahan tak terduga (lihat log server)",
}
