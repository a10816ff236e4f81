"""Fixtures of the visit tests: KIMs in two kecamatan, a petugas of one of them, and the visit
form as a browser sends it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests import factories
from tracker.models import Kim, User
from tracker.services.common.clock import office_today


@dataclass
class Place:
    """Kec. Sukodono (35.08.09) holds KIM Alpha and KIM Beta; Kec. Pasirian (35.08.02) KIM
    Gamma."""

    regions: factories.RegionTree
    alpha: Kim
    beta: Kim
    gamma: Kim


@pytest.fixture
def place(regions: factories.RegionTree) -> Place:
    return Place(
        regions,
        factories.kim(regions.desa_a1, name="KIM Alpha"),
        factories.kim(regions.desa_a2, name="KIM Beta"),
        factories.kim(regions.desa_b1, name="KIM Gamma"),
    )


@pytest.fixture
def petugas(login_as: Callable[..., User], place: Place) -> User:
    """A petugas of Kec. Sukodono, logged in."""
    return login_as("petugas", scope=[place.regions.kec_a])


def visit_form(
    place: Place, key: str = "kunci-formulir-uji-0001", **overrides: Any
) -> dict[str, Any]:
    """The fields of the Sukodono visit form with one finding filled (KIM Alpha) and KIM Beta's
    section left empty, as a browser sends them; `overrides` replaces or adds fields."""
    data: dict[str, Any] = {
        "idempotency_key": key,
        "kecamatan_code": place.regions.kec_a,
        "started_on": office_today().isoformat(),
        "ended_on": "",
        "team_names": "Pak Camat\nBu Sekcam",
        "notes": "Kunjungan rutin triwulan",
        "gps_lat": "",
        "gps_lon": "",
        "gps_accuracy": "",
        "findings-0-kim_id": str(place.alpha.id),
        "findings-0-uploads_seen": "12",
        "findings-0-consistency_pct": "61,5",
        "findings-0-problems": ["sdm", "jaringan"],
        "findings-0-problem_notes": "Sinyal lemah di balai desa",
        "findings-0-rating": "perlu_perbaikan",
        "findings-0-recommendation": "Unggah berita kegiatan setiap minggu",
        "findings-0-follow_up_due": "",
        "findings-1-kim_id": str(place.beta.id),
        "findings-1-uploads_seen": "",
        "findings-1-consistency_pct": "",
        "findings-1-problem_notes": "",
        "findings-1-rating": "",
        "findings-1-recommendation": "",
        "findings-1-follow_up_due": "",
    }
    data.update(overrides)
    return data


def photo(name: str = "foto.jpg", data: bytes | None = None, **kwargs: Any) -> tuple[BytesIO, str]:
    """A file field's value for the test client."""
    return BytesIO(data if data is not None else factories.photo_bytes(**kwargs)), name


def send(client: FlaskClient, data: dict[str, Any], **kwargs: Any):  # type: ignore[no-untyped-def]
    """POST the visit form (multipart, as the browser sends a form with file fields)."""
    return client.post("/pemantauan/baru", data=data, content_type="multipart/form-data", **kwargs)


def some_day() -> date:
    return date(2025, 2, 10)
