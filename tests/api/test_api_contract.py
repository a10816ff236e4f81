"""The OpenAPI document against the routes that serve it: schemathesis generates requests from
the document (valid ones, and ones that break it) and checks every answer against it (status
documented, body and headers as described, no server error, invalid input refused, no access
without the token). Bounded examples, so it runs in seconds."""

from __future__ import annotations

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.generation import GenerationMode

from tests import factories
from tests.api.conftest import seed_district

EXAMPLES = 12  # per operation and generation mode


@pytest.mark.slow
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_keeps_to_the_document(
    app: Flask, regions: factories.RegionTree, api_token, mode: GenerationMode
) -> None:
    seed_district(regions)
    token = api_token("viewer")
    app.config["API_RATE_LIMIT"] = 1_000_000  # the limit has its own tests
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 13
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def keeps_to_it(case) -> None:  # type: ignore[no-untyped-def]
            case.call_and_validate(headers=token.headers)

        keeps_to_it()
