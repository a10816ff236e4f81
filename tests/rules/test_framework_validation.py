"""Validation of framework definitions: every problem named in Indonesian, all at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tracker.scoring.framework import (
    FrameworkInvalid,
    default_definition,
    default_framework,
    load_framework,
)


def _ind(definition: dict[str, Any], code: str) -> dict[str, Any]:
    return next(i for i in definition["indicators"] if i["code"] == code)


def test_default_framework_loads_and_validates() -> None:
    fw = default_framework()
    assert fw.name == "Kerangka Penilaian KIM v1"
    assert len(fw.indicators) == 12
    assert fw.dimension("K").indicators == ("K1", "K2", "K3")
    assert fw.dimension("K").scored(fw) == ("K3",)
    assert fw.conditions_for("Mandiri")[1].target == "D"
    assert fw.stability.max_promotion == 1
    assert float(fw.stability.demotion_margin) == 5
    assert fw.to_dict() == default_definition()
    assert all(ind.topic for ind in fw.indicators.values())
    assert all(ind.unit for ind in fw.indicators.values())


def _mutate(change: Callable[[dict[str, Any]], None]) -> list[str]:
    definition = default_definition()
    change(definition)
    with pytest.raises(FrameworkInvalid) as err:
        load_framework(definition)
    return err.value.problems


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["dimensions"][1].update(weight=0), "Bobot dimensi W harus lebih dari 0"),
        (lambda d: d["dimensions"][1].update(weight=-3), "Bobot dimensi W harus lebih dari 0"),
        (lambda d: d["dimensions"][1].update(weight="x"), "Bobot dimensi W harus berupa angka"),
        (lambda d: _ind(d, "W1").update(weight=0), "Bobot indikator W1 harus lebih dari 0"),
        (
            lambda d: _ind(d, "W1").update(bands=[[0, 0], [4, 60], [1, 30]]),
            "Pita skor W1: batas harus naik berurutan; 1 setelah 4 membuat pita tumpang tindih",
        ),
        (
            lambda d: _ind(d, "W1").update(bands=[[0, 0], [1, 30], [1, 60]]),
            "1 setelah 1 membuat pita ganda",
        ),
        (
            lambda d: _ind(d, "W1").update(bands=[[1, 30], [4, 60]]),
            "Pita skor W1 harus mulai dari nilai minimum 0, bukan 1",
        ),
        (
            lambda d: _ind(d, "W1").update(bands=[[0, 0], [1, 130]]),
            "Skor pita W1 ke-2 harus 0–100",
        ),
        (
            lambda d: _ind(d, "W1").update(bands=[[0, 50], [1, 30]]),
            "skor tidak boleh turun ketika nilainya makin baik",
        ),
        (
            lambda d: _ind(d, "W4").update(bands=[[7, 100], [30, 60], [90, 20]]),
            "Pita skor W4: pita terakhir harus terbuka",
        ),
        (
            lambda d: _ind(d, "W4").update(bands=[[7, 100], [None, 60], [90, 20], [None, 0]]),
            "hanya pita terakhir yang boleh tanpa batas",
        ),
        (lambda d: _ind(d, "W1").update(bands=[]), "Pita skor W1 wajib diisi"),
        (lambda d: _ind(d, "W1").update(dimension="X"), "Indikator W1 harus masuk ke salah satu"),
        (
            lambda d: d["indicators"].append({**_ind(d, "W1"), "dimension": "M"}),
            "Indikator W1 tercantum lebih dari sekali",
        ),
        (
            lambda d: d["tiers"][2].update(min=40),
            "Batas bawah jenjang harus naik: Maju (40) tidak di atas Berkembang (40)",
        ),
        (lambda d: d["tiers"][0].update(min=10), "jenjang terendah (Rintisan) harus 0"),
        (lambda d: d["tiers"].__setitem__(slice(1, None), []), "setidaknya dua jenjang"),
        (
            lambda d: d["conditions"].append({"tier": "Emas", "target": "W2", "min": 50}),
            "jenjang 'Emas' yang tidak ada",
        ),
        (
            lambda d: d["conditions"].append({"tier": "Maju", "target": "Z9", "min": 50}),
            "menyebut 'Z9', bukan kode indikator",
        ),
        (
            lambda d: d["conditions"].append({"tier": "Maju", "target": "K1", "min": 50}),
            "menyebut 'K1', bukan kode indikator yang dinilai",
        ),
        (
            lambda d: d["conditions"].append({"tier": "Rintisan", "target": "W2", "min": 5}),
            "jenjang terendah (Rintisan) tidak boleh bersyarat",
        ),
        (lambda d: d["conditions"][0].update(min=150), "Ambang syarat ke-1 harus 0–100"),
        (lambda d: d["stability"].update(max_promotion=0), "Kenaikan maksimum per periode"),
        (lambda d: d["stability"].update(demotion_margin=-1), "tidak boleh negatif"),
        (
            lambda d: d["indicators"].__setitem__(
                slice(None), [i for i in d["indicators"] if i["dimension"] != "D"]
            ),
            "Dimensi D belum punya indikator yang dinilai",
        ),
        (lambda d: _ind(d, "K3").update(kind="sum"), "Jenis indikator K3 harus gate, bands"),
        (lambda d: _ind(d, "W2").update(milestones=[50, 25]), "Target bertahap W2 harus naik"),
        (lambda d: _ind(d, "W2").update(milestones=[50, 150]), "di antara minimum dan maksimum"),
        (lambda d: d.update(name=" "), "Nama kerangka wajib diisi"),
    ],
)
def test_each_problem_is_named(change: Callable[[dict[str, Any]], None], message: str) -> None:
    problems = _mutate(change)
    assert any(message in p for p in problems), problems


def test_all_problems_are_reported_together() -> None:
    def change(d: dict[str, Any]) -> None:
        d["dimensions"][0]["weight"] = 0
        _ind(d, "W1")["bands"] = [[2, 0], [1, 30]]
        d["tiers"][3]["min"] = 50

    problems = _mutate(change)
    assert len(problems) >= 4
    assert any("Bobot dimensi K" in p for p in problems)
    assert any("Mandiri" in p for p in problems)


def test_not_a_mapping() -> None:
    with pytest.raises(FrameworkInvalid):
        load_framework([])  # type: ignore[arg-type]


def test_loaded_framework_is_independent_of_the_input() -> None:
    definition = default_definition()
    fw = load_framework(definition)
    _ind(definition, "W1")["weight"] = 99
    assert fw.to_dict()["indicators"][3]["weight"] == 35
