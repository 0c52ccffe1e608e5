"""Every test here that touches a database runs once per engine: the conformance suite."""

import pytest

from app.search.engine import ENGINES


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    return request.param
