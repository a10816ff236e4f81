"""Every write is in the audit log: each POST route of the URL map is sent the form its page
shows (tests/security/forms.py; `PAYLOADS` fills what a blank form lacks), signed in as the
kabupaten admin, and

- whatever row the request wrote, an audit entry was written with it (a write outside the log is
  the failure this test exists for);
- the routes in `MUST_WRITE` did write, and an edit records its changes as {field: [old, new]};
- the routes that write no entry by design are listed in `NO_AUDIT` with the reason.

Destructive routes run last, so the ones before them find their objects."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from tests import factories
from tests.security.forms import harvest
from tests.security.world import World, fingerprint, object_pages, rules, url_for_rule
from tracker.extensions import db
from tracker.models import AuditEntry

# Rows a request may write without an audit entry: counters and sessions, not records.
NOT_RECORDS = {"audit_entry", "login_failure", "login_address", "verification_hit"}

NO_AUDIT = {
    "auth.login": "signing in changes no record (failures are counted in login_failure)",
    "verification.letter": "the public verification page reads; its rate counter is no record",
    "auth.change_locale": "the user's own display language, not a record of the office",
    "office.remove_logo": "with no logo set there is nothing to remove",
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
    },
}

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
} - set(NO_AUDIT)
CHANGES_RECORDED = {"kims.edit", "coaching.session_edit", "office.save"}
LAST = ("hapus", "nonaktifkan", "cabut", "tutup", "batalkan", "selesai", "logout")


def _audits() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def test_every_write_is_in_the_audit_log(app: Flask, world: World, cases) -> None:
    admin = app.test_client()
    admin.post("/login", data={"username": "admin-kab", "password": factories.PASSWORD})
    forms = harvest(admin, object_pages(app, world))
    routes = sorted(rules(app, "POST"), key=lambda r: (r.rule.endswith(LAST), r.rule))
    failures, wrote = [], set()
    for rule in routes:
        client = app.test_client()
        client.post("/login", data={"username": "admin-kab", "password": factories.PASSWORD})
        url = url_for_rule(world, rule, "a")
        form = forms.get(url)
        data = {**(form.data() if form else {}), **PAYLOADS.get(rule.endpoint, {})}
        if rule.endpoint in ("coaching.session_create", "coaching.session_edit"):
            data["topics"] = str(world.topic_id)  # a session teaches at least one topic
        before, audits = fingerprint(), _audits()
        response = client.post(url, data=data)
        cases["audit: POST routes walked"] += 1
        after = fingerprint()
        changed = {t for t in after if after[t] != before[t]} - NOT_RECORDS
        recorded = _audits() > audits
        if recorded:
            wrote.add(rule.endpoint)
        if changed and not recorded:
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
