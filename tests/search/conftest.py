"""Every test here that touches a database runs once per backend and engine: the conformance
suite (SQLite with FTS5, tantivy and Whoosh; PostgreSQL with its own full-text search)."""

import pytest

ARCHIVES = [
    ("sqlite", "fts5"),
    ("sqlite", "tantivy"),
    ("sqlite", "whoosh"),
    ("postgresql", "postgres"),
]


@pytest.fixture(params=ARCHIVES, ids=[f"{b}-{e}" for b, e in ARCHIVES])
def archive(request: pytest.FixtureRequest) -> tuple[str, str]:
    return request.param


@pytest.fixture
def backend(archive: tuple[str, str]) -> str:
    return archive[0]


@pytest.fixture
def engine_name(archive: tuple[str, str]) -> str:
    return archive[1]
