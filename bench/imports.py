"""Benchmark: the imports of issue 12, each beside a bare executemany of the same rows.

    python -m bench.imports [--kims 10000] [--posts 1000000] [--postgres] [--seed 2025]

Generates its data under bench/out/ (a KIM registry CSV of N KIMs, a posts CSV of M posts for
them, in the formats offices send: `;`-separated, dd/mm/yyyy dates, KIMs named by their KIM.id
number or, for the 8 % without one, by name, desa and kecamatan; 1 % of the posts repeat an
earlier row, so the de-duplication has work to do), then on SQLite (a file under bench/out/) and,
with --postgres, on PostgreSQL (a database of its own on 127.0.0.1:5432, user postgres, created
and dropped here) measures:

1. start-up: `flask --help` (the application is created, nothing else), best of five;
2. `flask kim import` of the registry, as a separate process: wall time and peak resident memory;
   the ceiling is one executemany of the same KIM rows through the bare driver;
3. `flask activity import` of the posts, the same way; the ceiling is one executemany (in chunks
   of 50,000) of exactly the rows the import writes, in the file's order;
4. the same posts file again: every post already stored, all skipped (the duplicate check alone).

Each ceiling runs first, on the empty table, and is then deleted (and the file vacuumed or the
table truncated), so the import starts from the same state. Never part of the test run.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.assess import KIMS_PER_KECAMATAN, fresh_district

ROOT = Path(__file__).resolve().parents[1]

OUT_DIR = Path(__file__).resolve().parent / "out"
YEAR_START = date(2024, 4, 1)
YEAR_DAYS = 365
PERIODS = (
    ("2024-T2", date(2024, 4, 1), date(2024, 6, 30)),
    ("2024-T3", date(2024, 7, 1), date(2024, 9, 30)),
    ("2024-T4", date(2024, 10, 1), date(2024, 12, 31)),
    ("2025-T1", date(2025, 1, 1), date(2025, 3, 31)),
)
TYPES = ("berita", "galeri", "pengumuman", "agenda")
TYPE_WEIGHTS = (60, 20, 5, 15)
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


# ------------------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Kim:
    number: int  # 1..N, the order of the registry file
    name: str
    desa: str
    kecamatan: str
    desa_code: str
    kimid: str | None


def kims_of(kims: int, rng: random.Random) -> list[Kim]:
    out = []
    for i in range(kims):
        k, d = divmod(i, KIMS_PER_KECAMATAN)
        kimid = f"KIM-{i + 1:06d}" if rng.random() < 0.92 else None
        out.append(
            Kim(
                number=i + 1,
                name=f"KIM Bench {i + 1}",
                desa=f"Desa {k + 1}-{d + 1}",
                kecamatan=f"Kecamatan {k + 1}",
                desa_code=f"35.99.{k + 1:02d}.{2001 + d}",
                kimid=kimid,
            )
        )
    return out


REGISTRY_HEADER = (
    "Nomor KIM.id;Nama KIM;Desa/Kelurahan;Kecamatan;No. SK;Tanggal SK;Ketua;No. HP;Email;"
    "Website;Jumlah Anggota;Facebook;Instagram"
)


def write_registry(path: Path, kims: list[Kim], rng: random.Random) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, delimiter=";", lineterminator="\r\n")
        out.writerow(REGISTRY_HEADER.split(";"))
        for kim in kims:
            n = kim.number
            out.writerow(
                [
                    kim.kimid or "",
                    kim.name,
                    kim.desa,
                    kim.kecamatan,
                    f"188/{n}/2024" if rng.random() < 0.95 else "",
                    f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2023",
                    f"Ketua {n}",
                    f"0812 {n:04d} {rng.randint(1000, 9999)}",
                    f"kim{n}@desa.example.id",
                    f"https://kim{n}.desa.id",
                    rng.randint(5, 40),
                    f"https://facebook.com/kim{n}" if rng.random() < 0.6 else "",
                    f"https://instagram.com/kim{n}" if rng.random() < 0.4 else "",
                ]
            )


@dataclass(frozen=True)
class Post:
    kim: int  # Kim.number
    type: str
    day: date
    title: str
    url: str
    repeat: bool  # the same as an earlier row (skipped by the import)


def posts_of(kims: list[Kim], total: int, rng: random.Random) -> Iterator[Post]:
    """About total / N posts per KIM (activity varies from KIM to KIM), KIM after KIM as a
    crawler's per-site exports are concatenated, dates in order within a KIM; one row in a
    hundred repeats the KIM's previous post."""
    per_kim = total / len(kims)
    remaining = total
    for index, kim in enumerate(kims):
        left = len(kims) - index
        n = remaining if left == 1 else min(remaining, round(per_kim * rng.uniform(0.2, 1.8)))
        remaining -= n
        days = sorted(rng.randrange(YEAR_DAYS) for _ in range(n))
        previous: Post | None = None
        for i, offset in enumerate(days):
            if previous is not None and rng.random() < 0.01:
                yield Post(
                    previous.kim, previous.type, previous.day, previous.title, previous.url, True
                )
                continue
            kind = rng.choices(TYPES, TYPE_WEIGHTS)[0]
            post = Post(
                kim.number,
                kind,
                YEAR_START + timedelta(days=offset),
                f"{kind.capitalize()} kegiatan warga nomor {i + 1} di {kim.desa}",
                f"https://kim{kim.number}.desa.id/{kind}/{i + 1}-kegiatan-warga",
                False,
            )
            previous = post
            yield post


POSTS_HEADER = ("Nomor KIM.id", "Nama KIM", "Desa", "Kecamatan", "Jenis", "Tanggal", "Judul",
                "Tautan")  # fmt: skip


def write_posts(path: Path, kims: list[Kim], total: int, seed: int) -> int:
    """The posts file; returns how many rows are repeats."""
    rng = random.Random(seed)
    by_number = {k.number: k for k in kims}
    repeats = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, delimiter=";", lineterminator="\r\n")
        out.writerow(POSTS_HEADER)
        for post in posts_of(kims, total, rng):
            kim = by_number[post.kim]
            named = ("", kim.name, kim.desa, kim.kecamatan) if kim.kimid is None else (
                kim.kimid, "", "", "")  # fmt: skip
            out.writerow([*named, post.type, post.day.strftime("%d/%m/%Y"), post.title, post.url])
            repeats += post.repeat
    return repeats


# --------------------------------------------------------------------------------- database


def _app(url: str):  # type: ignore[no-untyped-def]
    os.environ.setdefault("SECRET_KEY", "bench")
    from tracker import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": False})


def prepare(url: str, kims: int) -> None:
    """A fresh schema with the regions and the periods of the posts' year."""

    from tracker.extensions import db
    from tracker.models import Period

    app = _app(url)
    with app.app_context():
        fresh_district(kims)
        for code, start, end in PERIODS:
            db.session.add(Period(code=code, kind="triwulan", start_date=start, end_date=end))
        db.session.commit()
        db.engine.dispose()


def _raw(url: str):  # type: ignore[no-untyped-def]
    """A bare DB-API connection (no SQLAlchemy) and its parameter mark."""
    if url.startswith("sqlite"):
        import sqlite3

        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        connection.execute("PRAGMA foreign_keys=ON")  # as the application sets it
        return connection, "?"
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")), "%s"


def _sql_value(value: Any, sqlite: bool) -> Any:
    """What SQLAlchemy hands the driver for a date or datetime column on this database."""
    if sqlite and isinstance(value, datetime):
        return value.isoformat(" ")
    if sqlite and isinstance(value, date):
        return value.isoformat()
    return value


def bare_insert(
    url: str, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> float:
    """The ceiling: one executemany (chunks of 50,000) through the bare driver, then commit."""
    sqlite = url.startswith("sqlite")
    rows = [tuple(_sql_value(v, sqlite) for v in row) for row in rows]
    connection, mark = _raw(url)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
    started = time.perf_counter()
    cursor = connection.cursor()
    for start in range(0, len(rows), 50_000):
        cursor.executemany(sql, rows[start : start + 50_000])
    connection.commit()
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def empty(url: str, table: str) -> None:
    """Delete what the ceiling wrote, so the import starts from the same empty table."""
    connection, _mark = _raw(url)
    if url.startswith("sqlite"):
        connection.execute(f"DELETE FROM {table}")
        connection.commit()
        connection.execute("VACUUM")
    else:
        connection.execute(f"TRUNCATE {table} RESTART IDENTITY CASCADE")
        connection.commit()
    connection.close()


def stored_ids(url: str) -> dict[int, int]:
    """Kim.number (the registry file's order) -> the id the import gave it."""
    connection, _mark = _raw(url)
    rows = connection.execute("SELECT id, name FROM kim").fetchall()
    connection.close()
    return {int(name.rsplit(" ", 1)[1]): kim_id for kim_id, name in rows}


# ------------------------------------------------------------------------------- commands


@dataclass
class Run:
    seconds: float
    peak_mb: float
    output: str


# Runs the command and reports its peak resident memory. A small interpreter of its own starts
# the command: a child forked straight from this (large) process would report this process's size
# as its own peak, since Linux carries the peak over across fork and exec.
_MEASURED = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:])
_pid, status, usage = os.wait4(child.pid, 0)
print(f"PEAK_KB {usage.ru_maxrss}", file=sys.stderr)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def flask(url: str, *args: str, max_rows: int = 200_000) -> Run:
    """`flask ARGS` in its own process: wall time, and its peak resident memory. Bytecode is
    cached as in a deployment (PYTHONDONTWRITEBYTECODE would compile every module each time)."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        "FLASK_APP": "wsgi:app",
        "JENJANG_ENV": "production",
        "SECRET_KEY": "bench",
        "DATABASE_URL": url,
        "IMPORT_MAX_ROWS": str(max_rows),
    }
    command = [sys.executable, "-c", _MEASURED, str(Path(sys.executable).with_name("flask")), *args]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    peak = next(
        (int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("PEAK_KB")),
        0,
    )
    if done.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{(done.stdout + done.stderr)[-3000:]}")
    return Run(elapsed, peak / 1024, done.stdout)


def startup(url: str, times: int = 5) -> float:
    return min(flask(url, "--help").seconds for _ in range(times))


# ---------------------------------------------------------------------------------- main


KIM_COLUMNS = ("name", "name_key", "desa_code", "kimid_number", "website", "sk_number",
               "sk_date", "chair", "phone", "email", "members", "status", "version",
               "created_at", "updated_at")  # fmt: skip
POST_COLUMNS = ("kim_id", "type", "posted_on", "title", "url", "created_at")


def kim_rows(path: Path) -> list[tuple[Any, ...]]:
    """The registry file's rows as the KIM table stores them."""
    from tracker.text import fold

    now = datetime.now()
    rows = []
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter=";")
        next(reader)
        for r in reader:
            day, month, year = (int(p) for p in r[5].split("/"))
            kec, desa = r[3].rsplit(" ", 1)[1], r[2].rsplit("-", 1)[1]
            code = f"35.99.{int(kec):02d}.{2000 + int(desa)}"
            rows.append(
                (r[1], fold(r[1]), code, r[0] or None, r[9], r[4] or None, date(year, month, day),
                 r[6], r[7], r[8], int(r[10]), "aktif", 1, now, now)
            )  # fmt: skip
    return rows


def post_rows(kims: list[Kim], total: int, seed: int, ids: dict[int, int]) -> list[tuple[Any, ...]]:
    """Exactly the rows the posts import writes: the file's rows without the repeats."""
    now = datetime.now()
    return [
        (ids[p.kim], p.type, p.day, p.title, p.url, now)
        for p in posts_of(kims, total, random.Random(seed))
        if not p.repeat
    ]


def measure(
    name: str, url: str, args: argparse.Namespace, files: dict[str, Path]
) -> dict[str, Any]:
    print(f"\n== {name}", flush=True)
    figures: dict[str, Any] = {"database": name}
    prepare(url, args.kims)
    figures["startup"] = startup(url)
    print(f"flask --help (best of 5): {figures['startup']:.2f} s", flush=True)

    figures["kim_bare"] = bare_insert(url, "kim", KIM_COLUMNS, kim_rows(files["registry"]))
    empty(url, "kim")
    run = flask(url, "kim", "import", str(files["registry"]))
    figures["kim_import"], figures["kim_peak"] = run.seconds, run.peak_mb
    print(run.output.strip().splitlines()[-2])
    print(
        f"flask kim import ({args.kims:,} KIMs): {run.seconds:.2f} s, peak {run.peak_mb:.0f} MB; "
        f"bare executemany of the same rows {figures['kim_bare']:.2f} s",
        flush=True,
    )

    kims = kims_of(args.kims, random.Random(args.seed))
    rows = post_rows(kims, args.posts, args.seed + 1, stored_ids(url))
    figures["posts_written"] = len(rows)
    figures["posts_bare"] = bare_insert(url, "content_post", POST_COLUMNS, rows)
    del rows
    empty(url, "content_post")
    limit = args.posts + 1_000
    run = flask(url, "activity", "import", str(files["posts"]), max_rows=limit)
    figures["posts_import"], figures["posts_peak"] = run.seconds, run.peak_mb
    print(run.output.strip().splitlines()[-2])
    ratio = run.seconds / figures["posts_bare"]
    print(
        f"flask activity import ({args.posts:,} posts): {run.seconds:.1f} s, peak "
        f"{run.peak_mb:.0f} MB; bare executemany of the {figures['posts_written']:,} rows it "
        f"writes {figures['posts_bare']:.1f} s; ratio {ratio:.2f}",
        flush=True,
    )
    run = flask(url, "activity", "import", str(files["posts"]), max_rows=limit)
    figures["posts_again"], figures["posts_again_peak"] = run.seconds, run.peak_mb
    print(run.output.strip().splitlines()[-2])
    print(
        f"the same file again (all already stored): {run.seconds:.1f} s, peak {run.peak_mb:.0f} MB",
        flush=True,
    )
    return figures


def _postgres(kims: int) -> tuple[str, Any]:
    import psycopg

    name = f"jenjang_bench_imports_{os.getpid()}"
    admin = psycopg.connect(
        PG_ADMIN.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
    )
    admin.execute(f"DROP DATABASE IF EXISTS {name}")
    admin.execute(f"CREATE DATABASE {name}")
    del kims

    def drop() -> None:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()

    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kims", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--postgres", action="store_true", help="also on PostgreSQL (127.0.0.1)")
    parser.add_argument("--sqlite-only", dest="postgres", action="store_false")
    args = parser.parse_args()

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    files = {
        "registry": OUT_DIR / f"registri-{args.kims}.csv",
        "posts": OUT_DIR / f"unggahan-{args.kims}-{args.posts}.csv",
    }
    started = time.perf_counter()
    kims = kims_of(args.kims, random.Random(args.seed))
    write_registry(files["registry"], kims, random.Random(args.seed))
    repeats = write_posts(files["posts"], kims, args.posts, args.seed + 1)
    size = files["posts"].stat().st_size / 1024 / 1024
    print(
        f"generated {args.kims:,} KIMs and {args.posts:,} posts ({repeats:,} repeats, "
        f"{size:.0f} MB CSV) in {time.perf_counter() - started:.1f} s; load average "
        f"{os.getloadavg()[0]:.1f}",
        flush=True,
    )

    sqlite_path = OUT_DIR / f"imports-{args.kims}.sqlite3"
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
    results = [measure("SQLite", f"sqlite:///{sqlite_path}", args, files)]
    if args.postgres:
        url, drop = _postgres(args.kims)
        try:
            results.append(measure("PostgreSQL", url, args, files))
        finally:
            drop()

    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")
    print("| database | flask --help | kim import | ceiling | peak | posts import | ceiling | "
          "ratio | peak | again (all skipped) | peak |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for f in results:
        print(
            f"| {f['database']} | {f['startup']:.2f} s | {f['kim_import']:.2f} s | "
            f"{f['kim_bare']:.2f} s | {f['kim_peak']:.0f} MB | {f['posts_import']:.1f} s | "
            f"{f['posts_bare']:.1f} s | {f['posts_import'] / f['posts_bare']:.2f}× | "
            f"{f['posts_peak']:.0f} MB | {f['posts_again']:.1f} s | "
            f"{f['posts_again_peak']:.0f} MB |"
        )


if __name__ == "__main__":
    main()
