"""Review: framework validation and DESIGN.md §4 rules at edges the other tests do not reach."""

from __future__ import annotations

import copy

import pytest

from tracker.scoring.framework import FrameworkInvalid, default_definition, load_framework


@pytest.mark.parametrize(
    ("where", "key", "value"),
    [
        ("indicators", "dimension", ["W"]),  # a list where a dimension code belongs
        ("conditions", "target", {"code": "W2"}),  # an object where a code belongs
        ("conditions", "tier", {"name": "Maju"}),
    ],
)
def test_a_malformed_definition_is_reported_not_a_crash(where, key, value):
    definition = copy.deepcopy(default_definition())
    definition[where][0][key] = value
    with pytest.raises(FrameworkInvalid) as caught:
        load_framework(definition)
    assert caught.value.problems
