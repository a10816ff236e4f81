"""Load and faults: gunicorn (4 workers) on a fresh PostgreSQL database under Locust, headless.

    python -m bench.load [--duration 60] [--kims 200] [--kill-worker-at 30] [--ceiling-duration 20]
                         [--kill-scheduler-during-batch [--batch-workers 2]] [--batch-fault-only]

1. A database of its own on 127.0.0.1:5432 (`jenjang_load`, dropped first and at the end unless
   --keep-db): `flask db upgrade`, `flask demo seed --kims N`, the office's signatory set with
   `flask office set` (a letter needs one). Archived letters and photos under bench/out/load/.
2. gunicorn `wsgi:app`, 4 sync workers, on a free port of 127.0.0.1, production configuration
   (PLAIN_HTTP=1: Locust speaks plain HTTP), its access log giving every response's status.
3. Locust (bench/load_users.py) in another process: 50 users browsing, 5 recording visits with a
   photo and 5 issuing letters, for --duration seconds. At --kill-worker-at seconds one gunicorn
   worker is killed with SIGKILL (0: no kill); the master starts a new one, which the bench
   checks.
4. Figures: requests, failures, throughput and p50/p95/p99 latency per kind (Locust's stats).
5. Checks, read from the database: no 5xx in the access log; every visit a recorder sent is
   stored exactly once (by its idempotency key) and no other visit appeared; every letter an
   issuer sent is stored exactly once for its (period, KIM) and no other letter appeared; the
   year's letter numbers are 1…N, each once, and the sequence row says N. Exit status 1 if a
   check fails.
6. The ceiling: a bare WSGI app (`ceiling_app` below) under gunicorn with 4 workers and the same
   60 users and waits, --ceiling-duration seconds: what this machine and Locust give when the
   app does nothing.
7. With --kill-scheduler-during-batch, when the checks passed: the scheduler killed during a
   letter batch, on the same database (`BatchFault`: the batch's own process SIGKILLed mid-batch,
   the scheduler taking it up SIGKILLed mid-batch, the scheduler started again; nothing
   half-written after each kill, the batch complete at the end). --batch-fault-only skips the
   load (steps 2–6).

Never part of the test run; the machine is shared, so run it once (about 3 minutes; 6–7 with
the batch fault).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "load"
PG = "postgresql://postgres@127.0.0.1:5432"
WORKERS = 4
USERS = 60  # 50 browsing + 5 recording visits + 5 issuing letters (fixed_count in load_users)
PETUGAS_KECAMATAN = ("35.08.09", "35.08.15")  # the demo petugas's scope (tracker/demo/data.py)


def ceiling_app(environ, start_response):
    """The ceiling: answers every request with a few bytes, nothing else."""
    body = b"ok\n"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "3")])
    return [body]


# ----------------------------------------------------------------------------------- set-up


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _psql(sql: str, database: str = "postgres") -> str:
    done = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-tA", "-c", sql],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def _flask(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def app_env(database: str, url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "FLASK_APP": "wsgi:app",
        "JENJANG_ENV": "production",
        "PLAIN_HTTP": "1",
        "SECRET_KEY": "load-" + os.urandom(16).hex(),
        "DATABASE_URL": f"{PG}/{database}",
        "PUBLIC_BASE_URL": url,
        "LETTER_ARCHIVE": str(OUT / "letters"),
        "PHOTO_FOLDER": str(OUT / "photos"),
    }
    env.pop("TEST_DATABASE_URL", None)
    return env


def prepare(database: str, kims: int, env: dict[str, str]) -> None:
    _psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    _psql(f"CREATE DATABASE {database}")
    started = time.perf_counter()
    _flask(["db", "upgrade"], env)
    _flask(["demo", "seed", "--kims", str(kims)], env)
    _flask(
        [
            "office",
            "set",
            "--signatory-title",
            "Kepala Dinas Komunikasi dan Informatika",
            "--signatory-name",
            "Dr. Hendra Wijaya, S.Kom.",
            "--signatory-nip",
            "197001011995031001",
        ],
        env,
    )
    print(
        f"database {database}: migrated and seeded ({kims} KIMs) "
        f"in {time.perf_counter() - started:.0f} s"
    )


def targets(database: str) -> dict:
    from tracker.demo.data import DEMO_USERS

    pairs = _psql(
        "SELECT p.code || ' ' || a.kim_id FROM assessment a JOIN period p ON p.id = a.period_id"
        " JOIN kim k ON k.id = a.kim_id WHERE k.status = 'aktif' ORDER BY md5(p.code || a.kim_id)",
        database,
    ).split()
    kims = _psql("SELECT id FROM kim ORDER BY id", database).split()
    periods = _psql(
        "SELECT DISTINCT p.code FROM assessment a JOIN period p ON p.id = a.period_id", database
    ).split()
    kecamatan = _psql("SELECT code FROM region WHERE level = 3 ORDER BY code", database).split()
    return {
        "pairs": [[pairs[i], int(pairs[i + 1])] for i in range(0, len(pairs), 2)],
        "kims": [int(k) for k in kims],
        "periods": periods,
        "kecamatan": kecamatan,
        "petugas_kecamatan": list(PETUGAS_KECAMATAN),
        "passwords": {user: password for user, _r, _s, _n, password in DEMO_USERS},
    }


# ------------------------------------------------------------------------------- processes


def start_gunicorn(app: str, port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(log),
            "--access-logformat",
            "%(s)s %(m)s %(U)s %(M)s",
            "--error-logfile",
            str(log.with_suffix(".errors")),
            app,
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2):
                return server
        except urllib.error.HTTPError:
            return server  # the ceiling app answers everything; the app answers /login
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    server.kill()
    raise SystemExit(f"gunicorn {app} did not start; see {log.with_suffix('.errors')}")


def workers_of(master: int) -> list[int]:
    path = Path(f"/proc/{master}/task/{master}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def run_locust(url: str, users: list[str], seconds: int, prefix: Path, env: dict[str, str]) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(ROOT / "bench" / "load_users.py"),
            "--headless",
            "--users",
            str(USERS),
            "--spawn-rate",
            "20",
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "30",
            "--host",
            url,
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            *users,
        ],
        cwd=ROOT,
        env=env,
        check=False,  # Locust exits 1 when a request failed; the bench says which
    )


class WorkerKill:
    """SIGKILL one gunicorn worker after `at` seconds; then wait for the master's new one."""

    def __init__(self, master: int, at: float) -> None:
        self.master, self.at = master, at
        self.killed: int | None = None
        self.replaced_after: float | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        if self.at > 0:
            self.thread.start()

    def _run(self) -> None:
        time.sleep(self.at)
        before = workers_of(self.master)
        self.killed = before[len(before) // 2]
        os.kill(self.killed, signal.SIGKILL)
        killed_at = time.monotonic()
        while time.monotonic() - killed_at < 30:
            now = workers_of(self.master)
            if len(now) == WORKERS and self.killed not in now:
                self.replaced_after = time.monotonic() - killed_at
                return
            time.sleep(0.1)


def children_of(pid: int) -> list[int]:
    """The child processes of every thread of `pid` (a pool started from a scheduler's job
    thread is that thread's children, not the main thread's)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def numbering(database: str) -> list[str]:
    """Each year's letter numbers are 1…N once each, and its sequence row says N."""
    problems = []
    for year_line in _psql(
        "SELECT year || ' ' || count(*) || ' ' || count(DISTINCT sequence) || ' ' || min(sequence)"
        " || ' ' || max(sequence) || ' ' || count(DISTINCT number) FROM letter GROUP BY year",
        database,
    ).splitlines():
        year, count, distinct, low, high, numbers = (int(x) for x in year_line.split())
        last = int(_psql(f"SELECT last_number FROM letter_sequence WHERE year = {year}", database))
        if not (count == distinct == numbers == high == last and low == 1):
            problems.append(
                f"letters of {year}: {count} rows, {distinct} sequence values {low}…{high}, "
                f"{numbers} distinct numbers, sequence row at {last} (want 1…{count} once each)"
            )
    return problems


class BatchFault:
    """The scheduler killed during a letter batch, on the load database (`--kill-scheduler-
    during-batch`, run after the load):

    1. `flask letters issue --period P` (the batch runner: one batch of every assessed active KIM
       of the period with the most, two render worker processes) is SIGKILLed once a fifth of
       the batch is issued;
    2. `flask scheduler run` is started and the admin's "run now" for `letter_batches` filed (the
       scheduler page's button; the job's own trigger fires every 5 minutes): the scheduler takes
       up the batch whose process died and is SIGKILLed once another fifth is issued;
    3. the scheduler is started again with another "run now", and the batch runs to its end.

    After each kill and at the end: nothing half-written (every letter's archived file there with
    its SHA-256 and size, every issued item's letter there, no letter without its item, the
    numbers of each year 1…N once each, files without a letter and `.part` files counted; none
    may be left at the end). At the end: the batch done, every KIM of the filter with exactly one
    letter in force for the period, its ZIP and combined PDF written. Whether the killed
    processes' render workers outlived them is reported (and checked: none may)."""

    def __init__(self, database: str, env: dict[str, str], workers: int) -> None:
        self.database = database
        self.env = {**env, "SCHEDULER_POLL_SECONDS": "2", "LETTER_BATCH_WORKERS": str(workers)}
        self.workers = workers
        self.archive = Path(env["LETTER_ARCHIVE"])
        self.figures: list[tuple[str, str]] = []
        self.problems: list[str] = []
        self.left: list[int] = []  # child processes a killed process left behind

    def sql(self, query: str) -> str:
        return _psql(query, self.database)

    def issued(self, batch_id: int) -> int:
        """The batch's items issued, counted from the items."""
        return int(
            self.sql(
                f"SELECT count(*) FROM letter_batch_item WHERE batch_id = {batch_id}"
                " AND status = 'issued'"
            )
        )

    def wait_issued(
        self, batch_id: int, at_least: int, process: subprocess.Popen, what: str
    ) -> None:
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            if self.issued(batch_id) >= at_least:
                return
            if process.poll() is not None:
                raise SystemExit(f"{what} ended (exit {process.returncode}) before its kill")
            time.sleep(0.2)
        raise SystemExit(f"{what}: {at_least} letters not issued within 15 minutes")

    def spawn(self, args: list[str], log: Path) -> subprocess.Popen:
        with log.open("ab") as out:
            return subprocess.Popen(
                [sys.executable, "-m", "flask", *args],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def kill(self, process: subprocess.Popen, what: str) -> None:
        """SIGKILL the process; then, 5 s later, which of its children are still alive."""
        children = children_of(process.pid)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        time.sleep(5)
        alive = [pid for pid in children if Path(f"/proc/{pid}").exists()]
        self.figures.append(
            (f"{what}: its child processes alive 5 s after", f"{len(alive)} of {len(children)}")
        )
        if alive:
            self.problems.append(f"{what}: {len(alive)} child processes outlived it {alive}")
        self.left += alive

    def request_run(self) -> None:
        """The admin's "run now" for letter_batches, once the scheduler published its jobs."""
        code = (
            "import sys, time\n"
            "from sqlalchemy import select\n"
            "from wsgi import app\n"
            "from tracker.extensions import db\n"
            "from tracker.models.user import User\n"
            "from tracker.services.scheduler import requests\n"
            "with app.app_context():\n"
            "    admin = db.session.scalar(select(User).where(User.username == 'admin'))\n"
            "    for _ in range(240):\n"
            "        try:\n"
            "            requests.request_run(admin, 'letter_batches')\n"
            "            sys.exit(0)\n"
            "        except requests.UnknownJob:\n"
            "            db.session.rollback()\n"
            "            time.sleep(0.5)\n"
            "    sys.exit('the scheduler published no jobs within 2 minutes')\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=self.env, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise SystemExit(f"run-now request failed:\n{done.stdout}\n{done.stderr}")

    def half_written(self, when: str, *, final: bool = False) -> None:
        """Files against rows, rows against items, numbers; see the class docstring."""
        problems: list[str] = []
        referenced = set()
        for line in self.sql(
            "SELECT id || '|' || pdf_path || '|' || pdf_sha256 || '|' || pdf_size FROM letter"
        ).splitlines():
            letter_id, path, digest, size = line.split("|")
            referenced.add(path)
            file = self.archive / path
            if not file.is_file():
                problems.append(f"letter {letter_id}: no file {path}")
                continue
            data = file.read_bytes()
            if hashlib.sha256(data).hexdigest() != digest or len(data) != int(size):
                problems.append(f"letter {letter_id}: {path} is not the file recorded")
        for query, what in (
            (
                "SELECT count(*) FROM letter_batch_item i LEFT JOIN letter l ON l.id = i.letter_id"
                " WHERE i.status = 'issued' AND l.id IS NULL",
                "items issued without their letter",
            ),
            (
                "SELECT count(*) FROM letter_batch_item"
                " WHERE status <> 'issued' AND letter_id IS NOT NULL",
                "items not issued with a letter",
            ),
            (
                "SELECT count(*) FROM letter l WHERE l.issued_by_id IS NULL AND NOT EXISTS"
                " (SELECT 1 FROM letter_batch_item i WHERE i.letter_id = l.id)",
                "letters of no user and no batch item",
            ),
        ):
            n = int(self.sql(query))
            if n:
                problems.append(f"{n} {what}")
        problems += numbering(self.database)
        files = {str(p.relative_to(self.archive)) for p in self.archive.glob("[0-9]*/*.pdf")}
        orphans = sorted(files - referenced)
        parts = sorted(str(p) for p in self.archive.glob("[0-9]*/*.part"))
        self.figures.append(
            (
                f"{when}: files without a letter, .part files",
                f"{len(orphans)} {orphans[:3]}, {len(parts)}",
            )
        )
        if final and (orphans or parts):
            problems.append(f"{len(orphans)} files without a letter, {len(parts)} .part files")
        self.problems += [f"{when}: {p}" for p in problems]

    def complete(self, batch_id: int, period_id: int) -> None:
        status, total, issued, skipped, failed = self.sql(
            "SELECT status || ' ' || total || ' ' || issued || ' ' || skipped || ' ' || failed"
            f" FROM letter_batch WHERE id = {batch_id}"
        ).split()
        if status != "done" or int(issued) + int(skipped) != int(total) or int(failed):
            self.problems.append(
                f"batch {batch_id}: {status}, {issued} issued + {skipped} skipped + {failed} "
                f"failed of {total}"
            )
        wanted = int(
            self.sql(
                "SELECT count(DISTINCT a.kim_id) FROM assessment a JOIN kim k ON k.id = a.kim_id"
                f" WHERE a.period_id = {period_id} AND k.status = 'aktif'"
            )
        )
        if wanted != int(total):
            self.problems.append(f"the filter has {wanted} KIMs, the batch {total}")
        from tracker.models.letters import KIND_EVALUATION, LETTER_ISSUED

        not_one = self.sql(
            "SELECT a.kim_id || ':' || count(l.id) FROM assessment a JOIN kim k ON k.id = a.kim_id"
            " LEFT JOIN letter l ON l.kim_id = a.kim_id AND l.period_id = a.period_id"
            f" AND l.status = '{LETTER_ISSUED}' AND l.kind = '{KIND_EVALUATION}'"
            f" WHERE a.period_id = {period_id} AND k.status = 'aktif'"
            " GROUP BY a.kim_id HAVING count(l.id) <> 1"
        ).split()
        if not_one:
            self.problems.append(f"KIMs without exactly one letter (KIM:letters): {not_one[:10]}")
        for column in ("zip_path", "combined_path"):
            path = self.sql(f"SELECT {column} FROM letter_batch WHERE id = {batch_id}")
            if not path or not (self.archive / path).is_file():
                self.problems.append(f"batch {batch_id}: no {column} file")

    def run(self) -> None:
        period_id, period, kims = self.sql(
            "SELECT a.period_id || ' ' || p.code || ' ' || count(*) FROM assessment a"
            " JOIN period p ON p.id = a.period_id JOIN kim k ON k.id = a.kim_id"
            " WHERE k.status = 'aktif' GROUP BY a.period_id, p.code, p.start_date"
            " ORDER BY count(*) DESC, p.start_date DESC LIMIT 1"
        ).split()
        before = int(self.sql("SELECT count(*) FROM letter WHERE period_id = " + period_id))
        # the period assessed afresh: a KIM whose data changed since (the demo's, the visits the
        # load recorded) gets no letter until it is, by design (its item would fail)
        assessed = time.monotonic()
        _flask(["assess", "run", "--period", period], self.env)
        self.figures.append(("the period assessed afresh", f"{time.monotonic() - assessed:.0f} s"))
        last = int(self.sql("SELECT coalesce(max(id), 0) FROM letter_batch"))
        started = time.monotonic()
        runner = self.spawn(
            ["letters", "issue", "--period", period, "--out", str(OUT / "batch-results")],
            OUT / "batch-runner.log",
        )
        while not (found := self.sql(f"SELECT min(id) FROM letter_batch WHERE id > {last}")):
            if runner.poll() is not None:
                raise SystemExit(f"flask letters issue failed; see {OUT / 'batch-runner.log'}")
            time.sleep(0.2)
        batch_id = int(found)
        total = int(self.sql(f"SELECT total FROM letter_batch WHERE id = {batch_id}"))
        step = max(3, total // 5)
        self.figures.append(
            (
                f"batch {batch_id}",
                f"period {period}: {total} KIMs ({kims} assessed, {before} with a letter "
                f"already), {self.workers} render workers",
            )
        )

        self.wait_issued(batch_id, step, runner, "the batch runner")
        self.kill(runner, "batch runner (flask letters issue) SIGKILLed")
        first = self.issued(batch_id)
        self.figures.append(
            (
                "issued by the batch runner before its kill",
                f"{first} in {time.monotonic() - started:.0f} s",
            )
        )
        self.half_written("after the runner's kill")

        taken = time.monotonic()
        scheduler = self.spawn(["scheduler", "run"], OUT / "scheduler-1.log")
        try:
            self.request_run()
            self.wait_issued(batch_id, first + step, scheduler, "the scheduler")
        except BaseException:
            scheduler.kill()
            raise
        self.kill(scheduler, "scheduler (flask scheduler run) SIGKILLed")
        second = self.issued(batch_id)
        self.figures.append(
            (
                "issued by the scheduler before its kill",
                f"{second - first} (started, took it up and issued them in "
                f"{time.monotonic() - taken:.0f} s)",
            )
        )
        self.half_written("after the scheduler's kill")

        restarted = time.monotonic()
        scheduler = self.spawn(["scheduler", "run"], OUT / "scheduler-2.log")
        try:
            self.request_run()
            deadline = time.monotonic() + 1200
            while self.sql(f"SELECT status FROM letter_batch WHERE id = {batch_id}") != "done":
                if scheduler.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the batch did not complete; see {OUT / 'scheduler-2.log'}")
                time.sleep(0.5)
            took = time.monotonic() - restarted
        finally:
            stop(scheduler)
        for pid in self.left:  # the killed processes' children (ours), if any outlived them
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.figures.append(
            (
                "after the restart",
                f"{self.issued(batch_id) - second} issued; the batch done {took:.0f} s after the "
                f"scheduler was started again ({time.monotonic() - started:.0f} s in all)",
            )
        )
        self.half_written("at the end", final=True)
        self.complete(batch_id, int(period_id))


def kill_scheduler_during_batch(database: str, env: dict[str, str], workers: int) -> BatchFault:
    fault = BatchFault(database, env, workers)
    fault.run()
    return fault


# ---------------------------------------------------------------------------------- figures


def stats(prefix: Path) -> list[dict[str, str]]:
    with (prefix.parent / f"{prefix.name}_stats.csv").open() as f:
        return list(csv.DictReader(f))


def print_stats(title: str, rows: list[dict[str, str]]) -> None:
    print(f"\n{title}")
    head = ("requests", "failed", "req/s", "p50 ms", "p95 ms", "p99 ms")
    print(f"  {'kind':<30} " + " ".join(f"{h:>8}" for h in head))
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "all"
        print(
            f"  {name:<30} {row['Request Count']:>8} {row['Failure Count']:>8} "
            f"{float(row['Requests/s']):>8.1f} {row['50%']:>8} {row['95%']:>8} {row['99%']:>8}"
        )


def statuses(log: Path) -> Counter:
    counts: Counter = Counter()
    for line in log.read_text().splitlines():
        status = line.split(" ", 1)[0]
        if status.isdigit():
            counts[int(status)] += 1
    return counts


# ----------------------------------------------------------------------------------- checks


def submitted(records: Path) -> list[dict]:
    lines: list[dict] = []
    for path in sorted(records.glob("submitted-*.jsonl")):
        lines += [json.loads(x) for x in path.read_text().splitlines() if x.strip()]
    return lines


def check(database: str, sent: list[dict], before: dict[str, int], codes: Counter) -> list[str]:
    problems: list[str] = []
    five = {c: n for c, n in codes.items() if c >= 500}
    if five:
        problems.append(f"5xx answers: {five}")

    visits = [r for r in sent if r["kind"] == "visit"]
    stored = dict(
        tuple(line.split("|"))
        for line in _psql(
            f"SELECT idempotency_key || '|' || count(*) FROM monitoring_visit"
            f" WHERE id > {before['visit']} GROUP BY idempotency_key",
            database,
        ).splitlines()
        if line
    )
    for r in visits:
        n = int(stored.get(r["key"], 0))
        if r["outcome"] == "ok" and n != 1:
            problems.append(f"visit {r['key']}: stored {n} times, answered ok")
        if r["outcome"] != "ok" and n > 1:
            problems.append(f"visit {r['key']} ({r['outcome']}): stored {n} times")
    strays = set(stored) - {r["key"] for r in visits}
    if strays:
        problems.append(f"{len(strays)} visits stored that no recorder sent")

    letters = [r for r in sent if r["kind"] == "letter" and r["outcome"] != "not offered"]
    rows = _psql(
        f"SELECT period_code || ' ' || kim_id FROM letter WHERE id > {before['letter']}", database
    ).splitlines()
    per_pair = Counter(rows)
    for r in letters:
        n = per_pair.get(f"{r['period']} {r['kim']}", 0)
        # "refused" after a try without an answer: that try issued it
        must = r["outcome"] == "ok" or (r["outcome"] == "refused" and r["tries"] > 1)
        if must and n != 1:
            problems.append(
                f"letter {r['period']} KIM {r['kim']} ({r['outcome']}): stored {n} times"
            )
        if n > 1:
            problems.append(f"letter {r['period']} KIM {r['kim']}: {n} letters")
        if r["outcome"] == "refused" and r["tries"] == 1:
            problems.append(f"letter {r['period']} KIM {r['kim']}: refused at the first try")
    strays = set(per_pair) - {f"{r['period']} {r['kim']}" for r in letters}
    if strays:
        problems.append(f"{len(strays)} letters stored that no issuer sent")

    return problems + numbering(database)


# ------------------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--kims", type=int, default=200)
    parser.add_argument("--kill-worker-at", type=float, default=30, help="seconds; 0: no kill")
    parser.add_argument("--ceiling-duration", type=int, default=20)
    parser.add_argument("--database", default="jenjang_load")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--kill-scheduler-during-batch",
        action="store_true",
        help="after the load: a letter batch whose runner, then scheduler, is SIGKILLed",
    )
    parser.add_argument("--batch-workers", type=int, default=2, help="the batch's render workers")
    parser.add_argument(
        "--batch-fault-only",
        action="store_true",
        help="the batch fault alone, without Locust (implies --kill-scheduler-during-batch)",
    )
    args = parser.parse_args()

    if OUT.exists():
        subprocess.run(["rm", "-rf", str(OUT)], check=True)
    OUT.mkdir(parents=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = app_env(args.database, url)
    prepare(args.database, args.kims, env)
    found = targets(args.database)
    (OUT / "targets.json").write_text(json.dumps(found))
    before = {
        "visit": int(_psql("SELECT coalesce(max(id), 0) FROM monitoring_visit", args.database)),
        "letter": int(_psql("SELECT coalesce(max(id), 0) FROM letter", args.database)),
    }
    print(
        f"targets: {len(found['pairs'])} assessed (period, KIM) pairs for letters, "
        f"{len(found['kims'])} KIMs, periods {', '.join(sorted(found['periods']))}"
    )
    locust_env = {
        **os.environ,
        "LOAD_TARGETS": str(OUT / "targets.json"),
        "LOAD_RECORD_DIR": str(OUT),
    }
    load = os.getloadavg()[0]
    if args.batch_fault_only:
        batch_fault(args, env, load)
        if not args.keep_db:
            _psql(f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
        return

    server = start_gunicorn("wsgi:app", port, env, OUT / "access.log")
    kill = WorkerKill(server.pid, args.kill_worker_at)
    try:
        started = time.monotonic()
        kill.start()
        run_locust(
            url,
            ["Browser", "VisitRecorder", "LetterIssuer"],
            args.duration,
            OUT / "app",
            locust_env,
        )
        elapsed = time.monotonic() - started
    finally:
        alive = workers_of(server.pid)
        stop(server)
    codes = statuses(OUT / "access.log")

    ceiling_port = _free_port()
    ceiling = start_gunicorn("bench.load:ceiling_app", ceiling_port, env, OUT / "ceiling.log")
    try:
        run_locust(
            f"http://127.0.0.1:{ceiling_port}",
            ["Ceiling"],
            args.ceiling_duration,
            OUT / "ceiling",
            locust_env,
        )
    finally:
        stop(ceiling)

    print(f"\nload average at the start: {load:.1f} (2 cores, shared); Locust ran {elapsed:.0f} s")
    print_stats(
        f"the app: gunicorn {WORKERS} workers, PostgreSQL, {USERS} users "
        "(50 browsing, 5 recording visits, 5 issuing letters)",
        stats(OUT / "app"),
    )
    print_stats(
        f"ceiling: a bare WSGI app, gunicorn {WORKERS} workers, the same users and waits",
        stats(OUT / "ceiling"),
    )
    print(f"\nHTTP statuses in the access log: {dict(sorted(codes.items()))}")
    if args.kill_worker_at > 0:
        if kill.killed is None:
            print("worker kill: did not happen (the run ended first)")
        else:
            print(
                f"worker kill: pid {kill.killed} SIGKILLed at {args.kill_worker_at:.0f} s; "
                + (
                    f"a new worker was up after {kill.replaced_after:.1f} s"
                    if kill.replaced_after is not None
                    else "NOT replaced within 30 s"
                )
                + f"; {len(alive)} workers at the end"
            )
    sent = submitted(OUT)
    outcome = Counter((r["kind"], r["outcome"]) for r in sent)
    retried = sum(1 for r in sent if r.get("tries", 1) > 1)
    print(
        "submitted: "
        + ", ".join(f"{kind} {what}: {n}" for (kind, what), n in sorted(outcome.items()))
        + f"; sent again after no answer: {retried}"
    )
    problems = check(args.database, sent, before, codes)
    if kill.killed is not None and kill.replaced_after is None:
        problems.append("the killed worker was not replaced")
    if args.kill_scheduler_during_batch and not problems:
        batch_fault(args, env, os.getloadavg()[0])
    if not args.keep_db:
        _psql(f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
    if problems:
        print("\nCHECKS FAILED:")
        for problem in problems:
            print("  " + problem)
        raise SystemExit(1)
    print(
        "\nchecks: no 5xx; every visit and letter sent is stored exactly once, nothing else; "
        "letter numbers 1…N each once"
    )


def batch_fault(args: argparse.Namespace, env: dict[str, str], load: float) -> None:
    """The batch fault, its figures and checks (exit status 1 when a check fails)."""
    print(f"\nthe scheduler killed during a letter batch (load average {load:.1f}):")
    fault = kill_scheduler_during_batch(args.database, env, args.batch_workers)
    for what, figure in fault.figures:
        print(f"  {what}: {figure}")
    if fault.problems:
        if not args.keep_db:
            _psql(f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
        print("\nBATCH FAULT CHECKS FAILED:")
        for problem in fault.problems:
            print("  " + problem)
        raise SystemExit(1)
    print(
        "  checks: after each kill and at the end every letter's file there with its SHA-256, no"
        " item or letter without the other, numbers 1…N once each; at the end no file without a"
        " letter, the batch done, every KIM of the period with exactly one letter in force"
    )


if __name__ == "__main__":
    main()
