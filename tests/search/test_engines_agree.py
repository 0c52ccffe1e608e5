"""Every engine, on either backend, gives the same moments as FTS5 on SQLite, up to ranking
ties."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.search.engines.engine import get_engine
from app.search.service import SearchService
from app.store import Store, open_store
from tests.conftest import SAMPLE, ingest, search_engine_of
from tests.postgres_cluster import PostgresCluster

QUERIES = [
    '"go far go together"',
    "if you want to go far go together",
    '"conference but not really a conference"',
    "conferecne bunch of meetups",
    "bunch of meetups xylophone",
    "transitio*",
    "learning -machine",
    "meetups OR kaggle",
    "kaggle -competition",
    '"if you want to go far you go together"',
]
OTHERS = [
    ("sqlite", "tantivy"),
    ("sqlite", "whoosh"),
    ("postgresql", "postgres"),
    ("postgresql", "tantivy"),
]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The sample in SQLite with FTS5."""
    url = f"sqlite:///{tmp_path_factory.mktemp('reference') / 'talks.db'}"
    store = open_store(url)
    from tests import conftest

    conftest._SEARCH_ENGINES[id(store)] = get_engine("fts5", url)
    ingest(store, SAMPLE)
    yield store
    store.dispose()


@pytest.fixture(scope="module", params=OTHERS, ids=[f"{b}-{e}" for b, e in OTHERS])
def other(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    backend, engine = request.param
    folder = tmp_path_factory.mktemp(f"{backend}-{engine}")
    if backend == "sqlite":
        url, name, cluster = f"sqlite:///{folder / 'talks.db'}", None, None
    else:
        cluster = request.getfixturevalue("postgres")
        name = cluster.new_database()
        url = cluster.url(name)
    store = open_store(url)
    from tests import conftest

    conftest._SEARCH_ENGINES[id(store)] = get_engine(engine, url, str(folder / "indexes"))
    ingest(store, SAMPLE)
    yield store
    store.dispose()
    if isinstance(cluster, PostgresCluster) and name:
        cluster.drop_database(name)


@pytest.mark.parametrize("q", QUERIES)
def test_same_moments(reference: Store, other: Store, q: str) -> None:
    a = SearchService(search_engine_of(reference)).search(reference, q, limit=50)
    b = SearchService(search_engine_of(other)).search(other, q, limit=50)
    assert a.hits, q
    assert (a.total, a.relaxed, a.corrected_query) == (b.total, b.relaxed, b.corrected_query)
    assert {(h.talk.slug, h.start) for h in a.hits} == {(h.talk.slug, h.start) for h in b.hits}
    # the top hit is FTS5's, or one FTS5 ranks within a point of it: the engines' relevance
    # differs in detail (tantivy quantises field lengths, PostgreSQL has no BM25), and
    # relevance weighs at most 10 points here
    tied = {(h.talk.slug, h.start) for h in a.hits if a.hits[0].score - h.score < 1.0}
    assert (b.hits[0].talk.slug, b.hits[0].start) in tied


def test_switching_engines_on_an_archive_repairs_the_new_engines_index(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'switch.db'}"
    store = open_store(url)
    from tests import conftest

    conftest._SEARCH_ENGINES[id(store)] = get_engine("tantivy", url)
    ingest(store, SAMPLE)  # FTS5 rows are not written for another engine
    fts5 = get_engine("fts5", url)
    assert SearchService(fts5).search(store, "meetups").total == 0
    assert fts5.sync(store) == 1  # what `talks ingest` / `talks serve` do first
    assert fts5.sync(store) == 0
    assert SearchService(fts5).search(store, "meetups").total > 0
    store.dispose()
