"""Every write is in the audit log: each POST route of the URL map is sent the form its page
shows (tests/security/forms.py; `PAYLOADS` fills what a blank form lacks), signed in as the
kabupaten admin, and

- whatever the request wrote or changed (a digest of every table's rows), an audit entry was
  written with it: a write outside the log is the failure this test exists for, on every route,
  including one added later;
- the routes in `MUST_WRITE` did write, and an edit records its changes as {field: [old, new]};
- the routes that write no entry by design are listed in `NO_AUDIT` with the reason.

Destructive routes run last, the ones undoing them (`UNDO`) after them, so each finds its object
in the state it needs. Not yet made to write here (the walk still checks them, their own tests
prove their entries): the file imports (upload and confirm), a framework's edit and activation
(the world's v1 is in use), deleting a topic in use, closing a dropped follow-up, and issuing a
letter after the period's data changed."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import func, select

from tests import factories
from tests.security.forms import harvest
from tests.security.world import World, contents, object_pages, rules, url_for_rule
from tracker.extensions import db
from tracker.models import AuditEntry

# Rows a request may write without an audit entry: counters and sessions, not records.
NOT_RECORDS = {"audit_entry", "login_failure", "login_address", "verification_hit"}

# Routes that write without an audit entry by design.
NO_AUDIT = {
    "auth.login": "signing in changes no record (failures are counted in login_failure)",
    "verification.letter": "the public verification page reads; its rate counter is no record",
    "auth.change_locale": "the user's own display language, a preference and not a record",
    "notifications.mark_read": "the reader's own notification marked read: their state, no record",
    "notifications.mark_all_read": "the reader's own notifications marked read: as above",
}

# What a blank form lacks to be a valid write (by endpoint).
PAYLOADS: dict[str, dict[str, str]] = {
    "kims.create": {"name": "KIM Baru Audit", "desa_code": "35.08.09.2002"},
    "coaching.topic_create": {"name": "Topik Audit", "codes": "W1"},
    "coaching.session_create": {
        "title": "Sesi Audit",
        "start_date": "2025-03-01",
        "end_date": "2025-03-01",
        "location": "Balai Desa",
    },
    "periods.add": {"code": "2025-T2"},
    "periods.reopen": {"reason": "Data susulan dari kecamatan"},
    "letters.revoke_view": {"reason": "Salah sasaran", "reissue": ""},
    "follow_ups.drop": {"reason": "Tidak relevan lagi"},
    "follow_ups.close": {"evidence": "Sudah unggah berita", "closed_on": "2025-04-01"},
    "kims.edit": {"phone": "081234567890"},
    "coaching.session_edit": {"location": "Aula Kecamatan"},
    "coaching.topic_edit": {"name": "Topik diubah"},
    "office.save": {"address": "Jl. Alun-alun Utara 1"},
    "users.create": {
        "username": "baru-audit",
        "full_name": "Pengguna Audit",
        "password": "kata-sandi-audit-2025",
        "confirm": "kata-sandi-audit-2025",
        "role": "viewer",
        "scopes": "35.08",
    },
    "users.edit": {"full_name": "Nama Diubah"},
    "visits.create": {
        "started_on": "2025-04-07",
        "findings-0-rating": "menonjol",
        "findings-0-recommendation": "Pertahankan",
    },
    "users.reset_password": {
        "password": "sandi-reset-audit-2025",
        "confirm": "sandi-reset-audit-2025",
    },
    "auth.change_password": {
        "current_password": factories.PASSWORD,
        "new_password": "sandi-baru-audit-2025",
        "confirm": "sandi-baru-audit-2025",
    },
}


def _payload(world: World, endpoint: str) -> dict[str, object]:
    """PAYLOADS, and what depends on the world's ids or carries a file."""
    data: dict[str, object] = dict(PAYLOADS.get(endpoint, {}))
    kim = world.a.kim.id
    if endpoint in ("coaching.session_create", "coaching.session_edit"):
        data["topics"] = str(world.topic_id)  # a session teaches at least one topic
    elif endpoint == "coaching.attendance_form":
        data.update({f"hadir-{kim}": "ya", f"jumlah-{kim}": "3", f"nama-{kim}": "Sari"})
    elif endpoint == "activity.grid_save":
        data[f"v-{kim}-K3"] = "2"  # the world entered 3
    elif endpoint == "letters.issue_view":
        data.update({"periode": "2025-T1", "kim": str(kim)})
    elif endpoint == "follow_ups.new":
        data.update({"kim_id": str(kim), "recommendation": "Perbaiki profil KIM"})
    elif endpoint == "coaching.material_upload":
        data["file"] = (io.BytesIO(PDF), "materi-audit.pdf")
    elif endpoint == "office.upload_logo":
        data["logo"] = (io.BytesIO(_png()), "logo.png")
    return data


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 120), (20, 90, 160)).save(out, "PNG")
    return out.getvalue()


# the routes that undo what a LAST one did run after them (a KIM or user reactivated, a period
# reopened, a follow-up reopened)
UNDO = (
    "kims.reactivate",
    "users.activate",
    "periods.reopen",
    "follow_ups.reopen",
)

# Sent with the form as shown (plus PAYLOADS), these must write and record it.
MUST_WRITE = {
    "auth.logout",
    "auth.change_locale",
    "kims.create",
    "kims.edit",
    "kims.deactivate",
    "coaching.topic_create",
    "coaching.topic_edit",
    "coaching.session_create",
    "coaching.session_edit",
    "coaching.session_delete",
    "coaching.material_delete",
    "periods.add",
    "periods.close",
    "letters.revoke_view",
    "office.save",
    "follow_ups.drop",  # (closing runs after it on the same follow-up: a 409, rightly)
    "assessments.run",
    "users.create",
    "users.edit",
    "users.reset_password",
    "auth.change_password",
    "coaching.attendance_form",
    "coaching.material_upload",
    "follow_ups.new",
    "office.upload_logo",
    "office.remove_logo",
    "frameworks.copy",
    "activity.grid_save",
    "visits.create",
    *UNDO,
} - set(NO_AUDIT)
CHANGES_RECORDED = {"kims.edit", "coaching.session_edit", "office.save"}
SIGN_OUT = ("auth.logout", "auth.change_password")  # after the last the admin signs in no more
LAST = ("hapus", "nonaktifkan", "cabut", "tutup", "batalkan", "selesai", "logout")


def _sign_out_order(endpoint: str) -> int:
    return SIGN_OUT.index(endpoint) + 1 if endpoint in SIGN_OUT else 0


def _audits() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry)) or 0


@pytest.mark.slow
def test_every_write_is_in_the_audit_log(app: Flask, world: World, cases) -> None:
    admin = app.test_client()
    admin.post("/login", data={"username": "admin-kab", "password": factories.PASSWORD})
    pages = object_pages(app, world)
    forms = harvest(admin, pages)
    routes = sorted(
        rules(app, "POST"),
        key=lambda r: (
            _sign_out_order(r.endpoint),
            r.endpoint in UNDO,
            r.rule.endswith(LAST),
            r.rule,
        ),
    )
    failures, wrote = [], set()
    for rule in routes:
        client = app.test_client()
        client.post("/login", data={"username": "admin-kab", "password": factories.PASSWORD})
        url = url_for_rule(world, rule, "a")
        form = forms.get(url)
        if form is None or rule.endpoint in UNDO:  # shown once an earlier route changed things
            area = "/" + url.split("/")[1] + "/"
            form = harvest(client, [p for p in pages if p.startswith(area)]).get(url, form)
        data = {**(form.data() if form else {}), **_payload(world, rule.endpoint)}
        before, audits = contents(), _audits()
        response = client.post(form.url if form else url, data=data)
        cases["audit: POST routes walked"] += 1
        after = contents()
        changed = {t for t in after if after[t] != before[t]} - NOT_RECORDS
        recorded = _audits() > audits
        if recorded:
            wrote.add(rule.endpoint)
        if changed and not recorded and rule.endpoint not in NO_AUDIT:
            failures.append(f"POST {url} wrote {sorted(changed)} without an audit entry")
        if rule.endpoint in MUST_WRITE and not recorded:
            failures.append(f"POST {url} -> {response.status_code}: no audit entry")
        if rule.endpoint in CHANGES_RECORDED and recorded:
            entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
            if (
                not entry
                or not entry.changes
                or not all(isinstance(v, list) and len(v) == 2 for v in entry.changes.values())
            ):
                failures.append(f"POST {url}: the entry has no before/after ({entry.changes!r})")
    assert not failures, "\n".join(failures)
    assert wrote >= MUST_WRITE
    assert set(NO_AUDIT) <= {r.endpoint for r in app.url_map.iter_rules()}
