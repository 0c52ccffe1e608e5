"""Shared fixtures: an archive per backend (a migrated SQLite file, or a database of its own on
a throwaway PostgreSQL cluster), an in-process client, the CLI runner, and access to ../shared
(tests that need it skip with a reason when it is absent)."""

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import hypothesis
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.config import Settings, get_settings
from app.ingest.files import transcript_files
from app.ingest.loader import IngestReport, load_files
from app.main import create_app
from app.search.engines.engine import SearchEngine, get_engine
from app.store import Snapshot, Store, open_store
from tests.postgres_cluster import PostgresCluster, find_bin_dir

# Meaning search embeds every passage at ingest (minutes for the shared corpus): off for the
# archives and servers tests make, on in the tests of it (tests/search/test_meaning.py,
# tests/search/test_embedder.py, tests/e2e/test_meaning_http.py, the browser's mode control).
os.environ["TALKS_SEMANTIC"] = "false"

# Property-based tests draw the same examples on every run: a failure is reproducible, and a
# fresh clone's `make test` cannot fail on a draw that an earlier run did not make.
hypothesis.settings.register_profile("talks", derandomize=True, database=None, deadline=None)
hypothesis.settings.load_profile("talks")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seed" / "000_1290f93bafb96edd.txt"
EPISODES = SHARED / "corpus" / "datatalksclub" / "episodes"
SAMPLE = ROOT / "data" / "000_1290f93bafb96edd.txt"
SAMPLE_SLUG = "from-software-engineering-to-machine-learning"  # from its sidecar
# TALKS_TEST_BACKENDS=sqlite (make test-fast) leaves PostgreSQL out
BACKENDS = tuple(
    name
    for name in os.environ.get("TALKS_TEST_BACKENDS", "sqlite,postgresql").split(",")
    if name in ("sqlite", "postgresql")
) or ("sqlite",)


def need_shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared corpus is not checked out beside the project")
    return path


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """One PostgreSQL cluster for the whole session, started on first use."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.skip(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb; `make test` "
            "installs Debian's postgresql when run as root): PostgreSQL tests skipped"
        )
    cluster = PostgresCluster(bin_dir)
    try:
        cluster.start()
        cluster.create_template()
    except Exception as exc:
        cluster.stop()
        pytest.skip(f"a throwaway PostgreSQL cluster could not be started: {exc}")
    yield cluster
    cluster.stop()


@pytest.fixture
def backend() -> str:
    """Overridden with both backends by the conformance suites (tests/search, tests/web)."""
    return "sqlite"


@pytest.fixture
def engine_name() -> str | None:
    """The search engine; None: the one inside the database. Overridden in tests/search."""
    return None


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'talks.db'}"
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    name = cluster.new_database()
    yield cluster.url(name)
    cluster.drop_database(name)


@pytest.fixture
def db(db_url: str, engine_name: str | None, tmp_path: Path) -> Iterator[Store]:
    """A migrated, empty archive."""
    store = open_store(db_url)
    _SEARCH_ENGINES[id(store)] = get_engine(engine_name, db_url, str(tmp_path / "indexes"))
    yield store
    _SEARCH_ENGINES.pop(id(store), None)
    store.dispose()


_SEARCH_ENGINES: dict[int, SearchEngine] = {}


def search_engine_of(db: Store) -> SearchEngine:
    """The search engine the `db` fixture was made with."""
    return _SEARCH_ENGINES.get(id(db)) or get_engine(None, db.url)


def ingest(store: Store, *paths: Path) -> IngestReport:
    files, missing = transcript_files(list(paths))
    assert not missing
    search_engine = search_engine_of(store)
    report = load_files(store, search_engine, files)
    search_engine.sync(store)
    return report


@pytest.fixture
def sample_db(db: Store) -> Store:
    """The bundled sample talk (the seed's raw captions with its sidecar)."""
    report = ingest(db, SAMPLE)
    assert report.failed == 0, report.errors
    return db


@pytest.fixture
def client(db_url: str, sample_db: Store, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(db=db_url, index_dir=str(tmp_path / "indexes")))
    with TestClient(app) as test_client:
        yield test_client
    app.state.store.dispose()


@pytest.fixture
def runner(db_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("TALKS_DB", db_url)
    get_settings.cache_clear()
    return CliRunner()


def table_rows(store: Store, sql: str, params: tuple[object, ...] = ()) -> list[tuple]:
    """Rows of one statement (written with `?` placeholders) on either backend."""
    with store.snapshot() as snapshot:
        return snapshot.rows(sql, params)


def recorded_statements(
    snapshot: Snapshot, monkeypatch: pytest.MonkeyPatch
) -> list[tuple[str, Sequence[object]]]:
    """Every statement the snapshot runs from now on, with its parameters, in order."""
    asked: list[tuple[str, Sequence[object]]] = []
    read = snapshot.rows

    def recorded(sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        asked.append((sql, params))
        return read(sql, params)

    monkeypatch.setattr(snapshot, "rows", recorded)
    return asked


def index_rows(store: Store) -> int:
    """Rows of the full-text index inside the database (FTS5 or PostgreSQL's)."""
    table = "passage_fts" if store.backend == "sqlite" else "passage_index"
    return table_rows(store, f"SELECT count(*) FROM {table}")[0][0]


TWIN = "from-software-engineer-to-machine-learning"  # the seed's edited episode
SEED_SLUG = "000-1290f93bafb96edd"  # the seed's captions as their own talk (no sidecar)


def _shared_archive(folder: Path, files: list[Path]) -> Store:
    url = f"sqlite:///{folder}/talks.db"
    store = open_store(url)
    engine = get_engine(None, url)
    report = load_files(store, engine, files)
    assert report.failed == 0, report.errors
    engine.sync(store)
    return store


@pytest.fixture(scope="session")
def raw_captions_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The shared corpus with the seed's raw captions and without their edited twin: quotes
    whose names the captions misheard can only be found by sound (SQLite, read only)."""
    files, _ = transcript_files([need_shared(EPISODES), need_shared(SEED)])
    store = _shared_archive(tmp_path_factory.mktemp("raw"), [f for f in files if f.stem != TWIN])
    yield store
    store.dispose()


@pytest.fixture(scope="session")
def merged_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The shared corpus with the bundled sample (the seed's captions and sidecar): the seed's
    captions and its edited twin are one talk, shown in the edited words (read only)."""
    files, _ = transcript_files([need_shared(EPISODES), SAMPLE])
    store = _shared_archive(tmp_path_factory.mktemp("merged"), files)
    yield store
    store.dispose()
