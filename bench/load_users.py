"""The Locust users of bench/load.py (run by it; not a test, never imported by the app).

    locust -f bench/load_users.py --headless … Browser VisitRecorder LetterIssuer
    locust -f bench/load_users.py --headless … Ceiling

- `Browser` (50): logs in as the demo viewer or kabid and reads the pages an office reads: the
  start page, the registry and a KIM, a period's overview and a KIM's assessment, coaching,
  visits, the letter register, a region.
- `VisitRecorder` (5): the demo petugas records a visit to one of its kecamatan with one finding
  and a photo, the way the visit form posts it (its idempotency key).
- `LetterIssuer` (5): the demo kabid opens the preview of a KIM's letter for an assessed period
  and issues it; each (period, KIM) is taken once from the list load.py wrote.
- `Ceiling`: the same number of users and waits against the bare WSGI app of load.py.

Writers record what they sent, one JSON line each, in `$LOAD_RECORD_DIR/submitted-<pid>.jsonl`:
an "ok" line with the visit's idempotency key or the letter's (period, KIM) and the id the app
answered with, or "unknown" when every try of one submission ended without an answer (a worker
killed mid-request). A sending that got no answer is sent again with the same key (the visit)
or the same (period, KIM) (the letter: the second try finds it issued); load.py checks
afterwards that each is stored exactly once. Request names are the kinds load.py reports.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import time
import uuid
from datetime import date
from pathlib import Path

from gevent.lock import Semaphore
from locust import HttpUser, between, task
from PIL import Image

TARGETS = json.loads(Path(os.environ.get("LOAD_TARGETS", "/dev/null")).read_text() or "{}")
RECORD = Path(os.environ.get("LOAD_RECORD_DIR", ".")) / f"submitted-{os.getpid()}.jsonl"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
KIM_ID = re.compile(
    r'name="findings-0-kim_id"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="findings-0-kim_id"'
)
TRIES = 4
WAIT = between(1, 3)
LETTER_PAIRS: list[list] = list(TARGETS.get("pairs", []))  # shared by the issuers (one process)


def _photo() -> bytes:
    image = Image.new("RGB", (640, 480), (40, 120, 90))
    for x in range(0, 640, 40):
        image.paste((200, 180, x % 255), (x, 0, x + 20, 480))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


PHOTO = _photo()


def record(line: dict) -> None:
    with RECORD.open("a") as out:
        out.write(json.dumps(line) + "\n")


class Office(HttpUser):
    abstract = True
    wait_time = WAIT
    role = "viewer"
    # One login per role, its session cookie shared by that role's users: the office's people
    # are logged in already; 60 Argon2 verifications at production cost in the first seconds
    # would measure the login storm, not the pages (one login's cost is in the "login" row).
    logins: dict[str, tuple[dict, str]] = {}
    lock = Semaphore()

    def on_start(self) -> None:
        with self.lock:
            if self.role not in self.logins:
                self.logins[self.role] = self._login()
        cookies, self.csrf = self.logins[self.role]
        self.client.cookies.update(cookies)

    def _login(self) -> tuple[dict, str]:
        page = self.client.get("/login", name="login page")
        token = CSRF.search(page.text).group(1)
        done = self.client.post(
            "/login",
            data={
                "csrf_token": token,
                "username": self.role,
                "password": TARGETS["passwords"][self.role],
            },
            name="login",
            allow_redirects=False,
        )
        if done.status_code != 302:
            raise RuntimeError(f"login as {self.role} refused: {done.status_code}")
        form = self.client.get("/akun", name="/akun")  # the logged-in session's CSRF token
        cookies = self.client.cookies.get_dict()
        self.client.cookies.clear()
        return cookies, CSRF.search(form.text).group(1)

    def send(self, method: str, url: str, name: str, **kwargs):
        """One submission, sent again on no answer; (response or None, tries)."""
        for attempt in range(1, TRIES + 1):
            with self.client.request(
                method, url, name=name, allow_redirects=False, catch_response=True, **kwargs
            ) as response:
                if response.status_code in (301, 302, 303):
                    response.success()
                    return response, attempt
                if response.status_code == 0 or response.status_code >= 500:
                    response.failure(f"no answer ({response.status_code}), try {attempt}")
                    time.sleep(1)
                    continue
                response.failure(f"unexpected {response.status_code}")
                return response, attempt
        return None, TRIES


class Browser(Office):
    fixed_count = 50

    def on_start(self) -> None:
        self.role = random.choice(("viewer", "kabid"))
        super().on_start()

    @task(3)
    def start_page(self) -> None:
        self.client.get("/", name="/ (start page)")

    @task(3)
    def registry(self) -> None:
        self.client.get(f"/kim/?page={random.randint(1, 4)}", name="/kim/")

    @task(2)
    def registry_search(self) -> None:
        self.client.get(
            f"/kim/?q={random.choice(('kim', 'sari', 'maju', 'jaya'))}", name="/kim/?q="
        )

    @task(4)
    def kim(self) -> None:
        self.client.get(f"/kim/{random.choice(TARGETS['kims'])}", name="/kim/[id]")

    @task(2)
    def period(self) -> None:
        self.client.get(f"/penilaian/{random.choice(TARGETS['periods'])}", name="/penilaian/[code]")

    @task(4)
    def assessment(self) -> None:
        code, kim = random.choice(TARGETS["pairs"])
        self.client.get(f"/penilaian/{code}/kim/{kim}", name="/penilaian/[code]/kim/[id]")

    @task(1)
    def coaching(self) -> None:
        self.client.get("/pembinaan/", name="/pembinaan/")

    @task(1)
    def visits(self) -> None:
        self.client.get("/pemantauan/", name="/pemantauan/")

    @task(1)
    def letters(self) -> None:
        self.client.get("/surat/", name="/surat/")

    @task(1)
    def region(self) -> None:
        self.client.get(f"/wilayah/{random.choice(TARGETS['kecamatan'])}", name="/wilayah/[code]")


class VisitRecorder(Office):
    fixed_count = 5
    role = "petugas"

    @task
    def record_visit(self) -> None:
        kecamatan = random.choice(TARGETS["petugas_kecamatan"])
        form = self.client.get(f"/pemantauan/baru?kecamatan={kecamatan}", name="visit form")
        found = KIM_ID.search(form.text)
        if form.status_code != 200 or not found:
            return
        key = uuid.uuid4().hex
        data = {
            "csrf_token": self.csrf,
            "idempotency_key": key,
            "kecamatan_code": kecamatan,
            "started_on": date.today().isoformat(),
            "notes": f"Kunjungan beban {key[:8]}",
            "findings-0-kim_id": found.group(1) or found.group(2),
            "findings-0-uploads_seen": str(random.randint(0, 30)),
            "findings-0-recommendation": "Unggah berita mingguan.",
        }
        files = {"findings-0-photos": ("balai.jpg", PHOTO, "image/jpeg")}
        response, tries = self.send(
            "POST", "/pemantauan/baru", "visit submit", data=data, files=files
        )
        where = response.headers.get("Location", "") if response is not None else ""
        saved = re.search(r"/pemantauan/(\d+)$", where)
        record(
            {
                "kind": "visit",
                "key": key,
                "outcome": "ok" if saved else "unknown" if response is None else "refused",
                "id": int(saved.group(1)) if saved else None,
                "tries": tries,
                "status": None if response is None else response.status_code,
            }
        )


class LetterIssuer(Office):
    fixed_count = 5
    role = "kabid"

    @task
    def issue_letter(self) -> None:
        if not LETTER_PAIRS:
            time.sleep(1)
            return
        code, kim = LETTER_PAIRS.pop()
        preview = self.client.get(f"/surat/baru?periode={code}&kim={kim}", name="letter preview")
        if preview.status_code != 200 or "Terbitkan surat" not in preview.text:
            record({"kind": "letter", "period": code, "kim": kim, "outcome": "not offered"})
            return
        data = {"csrf_token": self.csrf, "periode": code, "kim": str(kim)}
        response, tries = self.send("POST", "/surat/terbitkan", "letter issue", data=data)
        where = response.headers.get("Location", "") if response is not None else ""
        issued = re.search(r"/surat/(\d+)$", where)
        record(
            {
                "kind": "letter",
                "period": code,
                "kim": kim,
                # a later try that finds the letter issued is sent back to the preview
                "outcome": "ok" if issued else "unknown" if response is None else "refused",
                "id": int(issued.group(1)) if issued else None,
                "tries": tries,
            }
        )


class Ceiling(HttpUser):
    """The bare WSGI app under the same number of users and the same waits."""

    fixed_count = 60
    wait_time = WAIT

    @task
    def healthz(self) -> None:
        self.client.get("/healthz", name="/healthz (bare WSGI)")
