"""Fixtures of the coaching tests: materials stored under the test's own folder, the default
framework, and a small district (two kecamatan) with KIMs, a topic and a period."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from tests import factories
from tracker.models import Kim, Period, Topic
from tracker.services.rules import frameworks


@pytest.fixture(autouse=True)
def materials_folder(app: Flask, tmp_path: Path) -> Path:
    folder = tmp_path / "materi"
    app.config["MATERIALS_FOLDER"] = str(folder)
    return folder


@dataclass
class District:
    regions: factories.RegionTree
    a1: Kim  # Sukodono (kec_a)
    a2: Kim  # Sukodono
    b1: Kim  # Pasirian (kec_b)
    topic: Topic
    period: Period  # 2025-T1, open


@pytest.fixture
def district(regions: factories.RegionTree) -> District:
    frameworks.ensure_default()
    return District(
        regions=regions,
        a1=factories.kim(regions.desa_a1, name="KIM Kutorenon Maju", kimid_number="KIM-A1"),
        a2=factories.kim(regions.desa_a2, name="KIM Sumberejo Cerdas", kimid_number="KIM-A2"),
        b1=factories.kim(regions.desa_b1, name="KIM Condro Lestari", kimid_number="KIM-B1"),
        topic=factories.make_topic("Menulis berita", ("W1",)),
        period=factories.make_period("2025-T1"),
    )
