"""What the API answers, one marshmallow schema per kind of item: the routes serialise with them
and the OpenAPI document is generated from them (flask-smorest), so the two cannot disagree.
Every field is read from the plain data (or model) the service returns, by attribute."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import marshmallow as ma
from marshmallow import fields as f


class UtcDateTime(f.DateTime):
    """A moment, in RFC 3339 with its offset: the database stores naive UTC
    (tracker/models/base.utcnow), which would read as a local time without it."""

    def _serialize(self, value: datetime | None, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


# --- registry -----------------------------------------------------------------------------------


class Channel(ma.Schema):
    platform = f.String(required=True)
    url = f.String(required=True)


class Kim(ma.Schema):
    id = f.Integer(required=True)
    name = f.String(required=True)
    kimid_number = f.String(required=True, allow_none=True)
    status = f.String(required=True, metadata={"enum": ["aktif", "nonaktif"]})
    desa_code = f.String(required=True)
    desa = f.String(required=True)
    kecamatan = f.String(required=True, allow_none=True)
    kabupaten = f.String(required=True, allow_none=True)
    website = f.String(required=True, allow_none=True)
    sk_number = f.String(required=True, allow_none=True)
    sk_date = f.Date(required=True, allow_none=True)
    chair = f.String(required=True, allow_none=True)
    phone = f.String(required=True, allow_none=True)
    email = f.String(required=True, allow_none=True)
    members = f.Integer(required=True, allow_none=True)
    updated_at = UtcDateTime(required=True)


class KimDetail(Kim):
    notes = f.String(required=True, allow_none=True)
    channels = f.List(f.Nested(Channel), required=True)


class Region(ma.Schema):
    code = f.String(required=True)
    name = f.String(required=True, attribute="display_name")
    official_name = f.String(required=True, attribute="name")
    level = f.Integer(
        required=True, metadata={"description": "1 provinsi, 2 kabupaten, 3 kecamatan, 4 desa"}
    )
    kind = f.String(required=True, allow_none=True)
    parent_code = f.String(required=True, allow_none=True)


# --- rules --------------------------------------------------------------------------------------


class Period(ma.Schema):
    code = f.String(required=True)
    kind = f.String(required=True)
    start_date = f.Date(required=True)
    end_date = f.Date(required=True)
    state = f.String(required=True)
    closed_at = UtcDateTime(required=True, allow_none=True)
    assessed = f.Integer(
        required=True, metadata={"description": "KIMs in the token's scope with a result"}
    )


# --- assessment ---------------------------------------------------------------------------------


class Holdback(ma.Schema):
    code = f.String(required=True)
    tier = f.String(required=True, allow_none=True)
    minimum = f.String(required=True)
    value = f.String(required=True)


class AssessmentItem(ma.Schema):
    kim_id = f.Integer(required=True)
    kim_name = f.String(required=True, attribute="name")
    desa = f.String(required=True)
    kecamatan = f.String(required=True)
    score = f.Float(required=True)
    raw_tier = f.String(required=True)
    tier = f.String(required=True)
    stale = f.Boolean(
        required=True,
        attribute="changed",
        metadata={"description": "The KIM's data changed since the period was run."},
    )
    dimension_scores = f.Dict(keys=f.String(), values=f.Float(allow_none=True), required=True)
    holdbacks = f.List(f.Nested(Holdback), required=True)


class IndicatorLine(ma.Schema):
    code = f.String(required=True)
    name = f.String(required=True)
    unit = f.String(required=True)
    weight = f.Float(required=True)
    gate = f.Boolean(required=True)
    value = f.Float(required=True, allow_none=True)
    score = f.Float(required=True, allow_none=True)
    source = f.String(required=True, allow_none=True)
    missing = f.Boolean(required=True)
    passed = f.Boolean(required=True, allow_none=True)


class Dimension(ma.Schema):
    code = f.String(required=True)
    name = f.String(required=True)
    weight = f.Float(required=True)
    score = f.Float(required=True, allow_none=True)
    indicators = f.List(f.Nested(IndicatorLine), required=True)


class HistoryRow(ma.Schema):
    period_code = f.String(required=True)
    score = f.Float(required=True)
    raw_tier = f.String(required=True)
    tier = f.String(required=True)
    framework_version = f.Integer(required=True)


class AssessmentDetail(ma.Schema):
    kim_id = f.Integer(required=True)
    kim_name = f.String(required=True)
    kimid_number = f.String(required=True, allow_none=True)
    desa = f.String(required=True)
    kecamatan = f.String(required=True)
    period = f.String(required=True)
    framework_version = f.Integer(required=True, allow_none=True)
    assessed = f.Boolean(required=True)
    score = f.Float(required=True, allow_none=True)
    raw_tier = f.String(required=True, allow_none=True)
    tier = f.String(required=True, allow_none=True)
    reason = f.String(required=True, allow_none=True)
    computed_at = UtcDateTime(required=True, allow_none=True)
    data_gaps = f.List(f.String(), required=True)
    dimensions = f.List(f.Nested(Dimension), required=True)
    history = f.List(f.Nested(HistoryRow), required=True)


# --- coaching -----------------------------------------------------------------------------------


class Session(ma.Schema):
    id = f.Integer(required=True)
    title = f.String(required=True)
    start_date = f.Date(required=True)
    end_date = f.Date(required=True)
    location = f.String(required=True)
    jp = f.Integer(required=True, allow_none=True)
    topics = f.List(f.String(), required=True)
    invited = f.Integer(required=True, metadata={"description": "Invited KIMs in scope"})
    attended = f.Integer(required=True, metadata={"description": "Of them, the ones that came"})


class AttendanceRow(ma.Schema):
    kim_id = f.Integer(required=True)
    kim_name = f.String(required=True)
    kimid_number = f.String(required=True)
    desa = f.String(required=True)
    kecamatan = f.String(required=True)
    attended = f.Boolean(required=True)
    participant_count = f.Integer(required=True)
    names = f.List(f.String(), required=True)


class Guest(ma.Schema):
    name = f.String(required=True)
    position = f.String(required=True)
    affiliation = f.String(required=True)


class SessionDetail(ma.Schema):
    id = f.Integer(required=True, attribute="session_id")
    title = f.String(required=True)
    start_date = f.Date(required=True)
    end_date = f.Date(required=True)
    location = f.String(required=True)
    organiser = f.String(required=True)
    speakers = f.List(f.String(), required=True)
    jp = f.Integer(required=True, allow_none=True)
    topics = f.List(f.String(), required=True)
    attendance = f.List(f.Nested(AttendanceRow), required=True, attribute="rows")
    guests = f.List(f.Nested(Guest), required=True)


# --- visits -------------------------------------------------------------------------------------


class Visit(ma.Schema):
    id = f.Integer(required=True)
    kecamatan = f.String(required=True, attribute="kecamatan_name")
    started_on = f.Date(required=True)
    ended_on = f.Date(required=True)
    kims = f.Integer(required=True, metadata={"description": "KIMs visited"})
    photos = f.Integer(required=True)
    recorded_by = f.String(required=True)


class Finding(ma.Schema):
    kim_id = f.Integer(required=True)
    kim_name = f.String(required=True)
    desa = f.String(required=True)
    uploads_seen = f.Integer(required=True, allow_none=True)
    consistency_pct = f.Float(required=True, allow_none=True)
    problems = f.List(f.String(), required=True)
    problem_notes = f.String(required=True, allow_none=True)
    rating = f.String(required=True, allow_none=True)
    recommendation = f.String(required=True, allow_none=True)
    follow_up_ids = f.List(f.Integer(), required=True)


class VisitDetail(ma.Schema):
    id = f.Integer(required=True)
    kecamatan_code = f.String(required=True)
    kecamatan = f.String(required=True)
    started_on = f.Date(required=True)
    ended_on = f.Date(required=True)
    recorded_by = f.String(required=True)
    team = f.List(f.String(), required=True)
    team_names = f.String(required=True, allow_none=True)
    notes = f.String(required=True, allow_none=True)
    photos = f.Integer(required=True)
    findings = f.List(f.Nested(Finding), required=True)


class FollowUp(ma.Schema):
    id = f.Integer(required=True)
    kim_id = f.Integer(required=True)
    kim_name = f.String(required=True)
    desa = f.String(required=True, attribute="desa_name")
    kecamatan = f.String(required=True, attribute="kecamatan_name")
    recommendation = f.String(required=True)
    owner = f.String(required=True, attribute="owner_name")
    due_on = f.Date(required=True)
    status = f.String(required=True, metadata={"enum": ["open", "done", "dropped"]})
    closed_on = f.Date(required=True, allow_none=True)
    visit_id = f.Integer(required=True, allow_none=True)
    overdue = f.Boolean(required=True)


# --- letters ------------------------------------------------------------------------------------


class Letter(ma.Schema):
    id = f.Integer(required=True)
    kind = f.String(required=True)
    number = f.String(required=True)
    year = f.Integer(required=True)
    letter_date = f.Date(required=True)
    status = f.String(required=True, metadata={"enum": ["issued", "revoked"]})
    kim_id = f.Integer(required=True, allow_none=True)
    kim_name = f.String(required=True)
    desa = f.String(required=True, attribute="desa_name")
    kecamatan_code = f.String(required=True, allow_none=True)
    kecamatan = f.String(required=True, attribute="kecamatan_name")
    period = f.String(required=True, attribute="period_code")
    score = f.Float(required=True, allow_none=True)
    tier = f.String(required=True)
    signatory_name = f.String(required=True)
    signed = f.Boolean(required=True)
    issued_at = UtcDateTime(required=True)
    revoked_at = UtcDateTime(required=True, allow_none=True)
    revoke_reason = f.String(required=True, allow_none=True)
    replaces_id = f.Integer(required=True, allow_none=True)
    pdf_sha256 = f.String(required=True)
    pdf_size = f.Integer(required=True)
