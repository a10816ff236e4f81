"""The world the attack suite runs against, and how a rule of the URL map becomes a URL in it.

Two kecamatan (A: Sukodono, B: Pasirian) each hold a KIM assessed for 2025-T1 with its letter,
a visit with a photo, a follow-up, a coaching session with a material, and a user; an account of
each role is scoped to kecamatan A (and an admin to the whole kabupaten). `url_for_rule` fills a
rule's arguments with the objects of one kecamatan, so a route added later is walked without
anyone listing it: only an argument name never seen before needs a line in `_ARGUMENTS`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask
from sqlalchemy import func, select
from werkzeug.routing import Rule

from tests import factories
from tests.letters.conftest import quick_pdf
from tracker.extensions import db
from tracker.models import Kim, Letter, User, VisitPhoto
from tracker.models.notifications import KINDS, Notification
from tracker.pdf import letter as letter_pdf
from tracker.services.accounts import api_tokens
from tracker.services.coaching import materials
from tracker.services.letters import batch as letter_batch
from tracker.services.letters.issue import issue_letter
from tracker.services.visits import photos, visits
from tracker.services.visits.visits import FindingInput, VisitInput

PERIOD = "2025-T1"
TODAY = date(2025, 4, 7)
ROLES = ("admin", "kabid", "petugas", "viewer")

# Public by design: reachable without signing in (everything else must send a visitor to login).
PUBLIC_ENDPOINTS = {
    "auth.login": "the login page itself",
    "verification.letter": "the letter verification page the QR code of a printed letter opens",
    "static": "CSS, JS, fonts and images of the pages",
    "api-docs.openapi_json": "the OpenAPI document: what the API offers, no data (docs/api.md)",
}
# Health checks, when one is added, are public by design too: name them here.
PUBLIC_ENDPOINT_PREFIXES = ("health",)


def is_api(rule: Rule) -> bool:
    """The JSON API (Bearer tokens, no session, no login page): refuses a browser's session with
    401 rather than redirecting it."""
    return rule.rule.startswith("/api/")


def is_public(endpoint: str) -> bool:
    return endpoint in PUBLIC_ENDPOINTS or endpoint.split(".")[-1].startswith(
        PUBLIC_ENDPOINT_PREFIXES
    )


@dataclass
class Side:
    """The objects of one kecamatan."""

    kecamatan: str
    desa: str
    kim: Kim
    letter: Letter
    visit_id: int
    photo_id: int
    follow_up_id: int
    session_id: int
    material_id: int
    user: User
    token_id: int  # an API token of `user`: nobody else may revoke it
    notification_id: int  # a notification of `user`: nobody else may mark it read
    batch_id: int  # a letter batch for this kecamatan


@dataclass
class World:
    a: Side
    b: Side
    topic_id: int
    users: dict[str, User] = field(default_factory=dict)  # "admin" (kabupaten), "petugas_a", …


def _material(session_id: int) -> int:
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return materials.upload_material(None, session_id, "materi.pdf", pdf, "Materi uji").id


def _side(
    label: str, kecamatan: str, desa: str, kim: Kim, letter: Letter, author: User, topic: object
) -> Side:
    photo = photos.clean(factories.photo_bytes(), f"foto-{label}.jpg")
    recorded = visits.record_visit(
        author,
        VisitInput(
            idempotency_key=f"kunci-dunia-uji-{label}-000001",
            kecamatan_code=kecamatan,
            started_on=date(2025, 2, 10),
            notes=f"Kunjungan {label}",
            findings=[FindingInput(kim_id=kim.id, rating="menonjol", photos=[photo])],
        ),
    )
    visit = recorded.visit
    photo_id = db.session.scalar(select(VisitPhoto.id).where(VisitPhoto.visit_id == visit.id))
    assert photo_id is not None
    follow_up = factories.make_follow_up(kim, author, date(2025, 5, 1))
    session = factories.make_session(
        f"Pelatihan {label}", invited=[kim], topics=[topic], region=kecamatan
    )
    user = factories.user("viewer", scope=[kecamatan], username=f"warga-{label}")
    token = api_tokens.create_token(user, f"Token {label}")
    notification = Notification(
        user_id=user.id, kind=KINDS[0], subject=f"world:{label}", on_date=date(2025, 4, 7)
    )
    db.session.add(notification)
    db.session.flush()
    return Side(
        kecamatan=kecamatan,
        desa=desa,
        kim=kim,
        letter=letter,
        visit_id=visit.id,
        photo_id=photo_id,
        follow_up_id=follow_up.id,
        session_id=session.id,
        material_id=_material(session.id),
        user=user,
        token_id=token.row.id,
        notification_id=notification.id,
        batch_id=letter_batch.start_batch(None, PERIOD, kecamatan=kecamatan).id,
    )


def build_world(app: Flask, tmp_path: Path, monkeypatch: object) -> World:
    app.config["MATERIALS_FOLDER"] = str(tmp_path / "materi")
    regions = factories.region_tree()
    factories.office_ready()
    factories.freeze_today(monkeypatch, TODAY)
    monkeypatch.setattr(letter_pdf, "render_letter", quick_pdf)  # type: ignore[attr-defined]
    (kim_a,), _ = factories.assessed_kims(regions.desa_a1, name="KIM Alfa Sukodono")
    (kim_b,), _ = factories.assessed_kims(regions.desa_b1, name="KIM Bravo Pasirian")
    letter_a = issue_letter(None, PERIOD, kim_a.id)
    letter_b = issue_letter(None, PERIOD, kim_b.id)
    users = {"admin": factories.user("admin", username="admin-kab")}
    for role in ROLES:
        users[f"{role}_a"] = factories.user(role, scope=[regions.kec_a], username=f"{role}-a")
    topic = factories.make_topic("Menulis berita uji", ("W1",))
    a = _side("a", regions.kec_a, regions.desa_a1, kim_a, letter_a, users["petugas_a"], topic)
    b_author = factories.user("petugas", scope=[regions.kec_b], username="petugas-b")
    b = _side("b", regions.kec_b, regions.desa_b1, kim_b, letter_b, b_author, topic)
    db.session.commit()
    return World(a=a, b=b, topic_id=topic.id, users=users)


# --- rules to URLs ------------------------------------------------------------------------------

# the argument names that point at an object inside one kecamatan (the IDOR targets)
SCOPED_ARGUMENTS = {
    "kim_id",
    "batch_id",
    "token_id",
    "notification_id",
    "letter_id",
    "visit_id",
    "photo_id",
    "follow_up_id",
    "session_id",
    "material_id",
    "user_id",
}
# `<code>` names a region on these endpoints, a period everywhere else
REGION_CODE_ENDPOINTS = {"regions.show"}


def _value(world: World, side: Side, endpoint: str, name: str, rule: Rule) -> object:
    converter = rule._converters.get(name)
    items = getattr(converter, "items", None)
    if items:  # <any(csv,xlsx):fmt>: the first choice; `variants` walks every one
        return sorted(items)[0]
    table = {
        "kim_id": side.kim.id,
        "letter_id": side.letter.id,
        "visit_id": side.visit_id,
        "photo_id": side.photo_id,
        "follow_up_id": side.follow_up_id,
        "session_id": side.session_id,
        "material_id": side.material_id,
        "user_id": side.user.id,
        "topic_id": world.topic_id,
        "version": 1,
        "period_code": PERIOD,
        "token": side.letter.token,
        "filename": "css/app.css",
        "fmt": "csv",
        "token_id": side.token_id,
        "notification_id": side.notification_id,
        "batch_id": side.batch_id,
        "name": "recompute",  # a job of the scheduler's page
    }
    if name == "code":
        return side.kecamatan if endpoint in REGION_CODE_ENDPOINTS else PERIOD
    if name not in table:
        raise AssertionError(
            f"{rule.rule}: argument <{name}> is new to the attack suite; give it a value in "
            "tests/security/world.py (_value), and SCOPED_ARGUMENTS if it names a scoped object"
        )
    return table[name]


def url_for_rule(world: World, rule: Rule, side: str = "a") -> str:
    """The rule's URL with every argument an object of kecamatan `side` ("a" or "b")."""
    chosen = world.a if side == "a" else world.b
    values = {
        name: _value(world, chosen, rule.endpoint, name, rule) for name in sorted(rule.arguments)
    }
    built = rule.build(values, append_unknown=False)
    assert built is not None, rule.rule
    return built[1]


def is_scoped(rule: Rule) -> bool:
    return bool(rule.arguments & SCOPED_ARGUMENTS) or (
        rule.endpoint in REGION_CODE_ENDPOINTS and "code" in rule.arguments
    )


def rules(app: Flask, method: str) -> list[Rule]:
    return sorted(
        (r for r in app.url_map.iter_rules() if method in (r.methods or ())),
        key=lambda r: (r.rule, r.endpoint),
    )


def fingerprint() -> dict[str, int]:
    """The row count of every table: a request that wrote nothing leaves it as it was."""
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
        for table in db.metadata.sorted_tables
    }


def contents() -> dict[str, str]:
    """A digest of every table's rows: a request that changed nothing leaves it as it was
    (updates included, which row counts miss)."""
    digests = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


# Pages whose forms appear only with a query string (the endpoint's rule has no argument for
# it): the page, with the query it needs in the world's kecamatan A.
QUERY_PAGES = {
    "activity.grid": lambda w: {"kecamatan": w.a.kecamatan},
    "activity.review": lambda w: {"kecamatan": w.a.kecamatan},
    "letters.preview": lambda w: {"periode": PERIOD, "kim": str(w.a.kim.id)},
    "visits.new": lambda w: {"kecamatan": w.a.kecamatan},
}


def object_pages(app: Flask, world: World, sides: str = "ab") -> list[str]:
    """Every GET page of both kecamatan (downloads included), as the kabupaten admin sees them,
    and the pages of QUERY_PAGES with their query."""
    pages: list[str] = []
    for rule in rules(app, "GET"):
        if rule.endpoint == "static":
            continue
        for side in sides if is_scoped(rule) else "a":
            pages.append(url_for_rule(world, rule, side))
        if rule.endpoint in QUERY_PAGES:
            query = urlencode(QUERY_PAGES[rule.endpoint](world))
            pages.append(f"{url_for_rule(world, rule, 'a')}?{query}")
    return pages
