"""The edit form's text fields: what the admin types, to and from a definition."""

from __future__ import annotations

import pytest

from tracker.scoring.editing import apply_form, form_fields, parse_bands, parse_number
from tracker.scoring.framework import default_definition, load_framework


def test_form_fields_show_the_definition_as_typed_text() -> None:
    fields = form_fields(default_definition())
    assert fields["dim_W_weight"] == "40"
    assert fields["ind_W1_weight"] == "35"
    assert fields["ind_W1_bands"] == "0:0; 1:30; 4:60; 8:80; 12:100"
    assert fields["ind_W4_bands"] == "7:100; 30:60; 90:20; *:0"
    assert "ind_W2_bands" not in fields  # linear: no bands to type
    assert "ind_K1_weight" not in fields  # gates carry no weight
    assert [fields[f"tier_{i}_min"] for i in range(4)] == ["0", "40", "60", "80"]
    assert [fields[f"cond_{i}_min"] for i in range(3)] == ["50", "75", "50"]
    assert (fields["stab_max_promotion"], fields["stab_margin"]) == ("1", "5")


def test_unchanged_form_gives_back_the_same_definition() -> None:
    definition = default_definition()
    new, problems = apply_form(definition, form_fields(definition))
    assert problems == []
    assert new == definition


@pytest.mark.parametrize(
    ("text", "number"), [("35", 35), (" 12,5 ", 12.5), ("12.5", 12.5), ("-1", -1), ("1 000", 1000)]
)
def test_parse_number(text: str, number: float) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "nan", "inf"])
def test_parse_number_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_number(text)


def test_parse_bands_accepts_commas_newlines_and_open_bound() -> None:
    assert parse_bands("0:0;0,5:10\n 2 : 50 ;") == [[0, 0], [0.5, 10], [2, 50]]
    assert parse_bands("7:100; *:0") == [[7, 100], [None, 0]]


@pytest.mark.parametrize("text", ["", "0-0; 1-30", "0:0:1", "a:1", "1:b"])
def test_parse_bands_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_bands(text)


def test_apply_form_keeps_old_value_for_unparsable_fields_and_names_them() -> None:
    definition = default_definition()
    new, problems = apply_form(
        definition,
        {
            "dim_K_weight": "",
            "ind_W1_weight": "tiga",
            "ind_M1_bands": "0=0",
            "ind_M2_bands": " ",
            "tier_1_min": "45",
        },
    )
    assert problems == [
        "Bobot dimensi K wajib diisi.",
        "Bobot indikator W1: 'tiga' bukan angka.",
        "Pita skor M1: '0=0' harus berupa pasangan batas:skor dipisah titik koma, "
        "mis. 0:0; 1:30; 4:60.",
        "Pita skor M2 wajib diisi.",
    ]
    assert new["dimensions"][0]["weight"] == 15
    assert new["tiers"][1]["min"] == 45
    assert definition["tiers"][1]["min"] == 40  # the input is not modified
    load_framework(new)  # what parsed is still a valid framework
