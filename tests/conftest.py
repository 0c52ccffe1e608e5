"""Shared fixtures: a migrated SQLite file per test, an in-process client, the CLI runner, and
access to ../shared (tests that need it skip with a reason when it is absent)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from app.config import Settings, get_settings
from app.db import make_engine, migrate
from app.ingest.files import transcript_files
from app.ingest.loader import load_files
from app.main import create_app
from app.search.engine import SearchEngine, get_engine

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seed" / "000_1290f93bafb96edd.txt"
EPISODES = SHARED / "corpus" / "datatalksclub" / "episodes"
SAMPLE = ROOT / "data" / "000_1290f93bafb96edd.txt"


def need_shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared corpus is not checked out beside the project")
    return path


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'talks.db'}"


@pytest.fixture
def db(db_url: str, engine_name: str) -> Iterator[Engine]:
    engine = make_engine(db_url, writer=True)
    migrate(engine)
    _SEARCH_ENGINES[id(engine)] = get_engine(engine_name, db_url)
    yield engine
    _SEARCH_ENGINES.pop(id(engine), None)
    engine.dispose()


_SEARCH_ENGINES: dict[int, SearchEngine] = {}


def search_engine_of(db: Engine) -> SearchEngine:
    """The search engine the `db` fixture was made with (FTS5 unless parametrized)."""
    return _SEARCH_ENGINES.get(id(db)) or get_engine()


def ingest(engine: Engine, *paths: Path):  # type: ignore[no-untyped-def]
    files, missing = transcript_files(list(paths))
    assert not missing
    search_engine = search_engine_of(engine)
    report = load_files(engine, search_engine, files)
    with engine.connect() as conn:
        search_engine.sync(conn)
    return report


@pytest.fixture
def engine_name() -> str:
    """Overridden with every engine in tests/search (the conformance suite)."""
    return "fts5"


@pytest.fixture
def sample_db(db: Engine) -> Engine:
    """The bundled sample talk (the seed's raw captions with its sidecar)."""
    report = ingest(db, SAMPLE)
    assert report.failed == 0, report.errors
    return db


@pytest.fixture
def client(db_url: str, sample_db: Engine) -> Iterator[TestClient]:
    app = create_app(Settings(db=db_url))
    with TestClient(app) as test_client:
        yield test_client
    app.state.engine.dispose()


@pytest.fixture
def runner(db_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("TALKS_DB", db_url)
    get_settings.cache_clear()
    return CliRunner()
