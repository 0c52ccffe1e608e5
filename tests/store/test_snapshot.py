"""The store's promises on both backends: one snapshot per search, a time limit, writers that
take turns, and a clear error for a database it cannot use."""

from pathlib import Path

import pytest

from app.ingest.loader import prune, vanished_sources
from app.store import QueryTimeout, StoreError, connect, open_store
from app.store import Store as StoreType
from app.store.catalog import archive_version
from tests.conftest import BACKENDS, SAMPLE, ingest, search_engine_of, table_rows
from tests.search.test_meaning import write_talks

COUNT_SQL = "SELECT count(*) FROM vocabulary"
ADD_SQL = "INSERT INTO vocabulary(word, count) VALUES (?, ?)"
# two talks, "b" the newest (the highest id)
TWO_TALKS = {"a": ["the first talk says hello world"], "b": ["the second talk says goodbye moon"]}


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


def test_a_snapshot_reads_one_state_while_another_connection_commits(db: StoreType) -> None:
    with db.snapshot() as snapshot:
        assert snapshot.rows(COUNT_SQL) == [(0,)]
        with db.write() as writer:
            writer.execute(ADD_SQL, ("new", 1))
        assert snapshot.rows(COUNT_SQL) == [(0,)]  # still the state it started with
    with db.snapshot() as snapshot:
        assert snapshot.rows(COUNT_SQL) == [(1,)]


def test_a_write_that_fails_leaves_nothing_behind(db: StoreType) -> None:
    with pytest.raises(RuntimeError), db.write() as writer:
        writer.execute(ADD_SQL, ("half", 1))
        raise RuntimeError("crash")
    with db.snapshot() as snapshot:
        assert snapshot.rows(COUNT_SQL) == [(0,)]


def test_a_statement_past_the_time_limit_raises_query_timeout(db: StoreType) -> None:
    with db.write() as writer:
        writer.execute_many(ADD_SQL, [(f"w{i}", i) for i in range(2000)])
    # a cross join of 2000^3 rows runs for minutes unless stopped
    slow = "SELECT count(*) FROM vocabulary a, vocabulary b, vocabulary c"
    with pytest.raises(QueryTimeout), db.snapshot(time_limit_ms=50) as snapshot:
        snapshot.rows(slow)
    with db.snapshot() as snapshot:  # the connection is usable again
        assert snapshot.rows(COUNT_SQL) == [(2000,)]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://localhost/talks", "mysql databases are not supported"),
        ("not a url", "is not a database URL"),
    ],
)
def test_an_unsupported_url_is_one_clear_error(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        connect(url)


def test_a_read_replica_for_sqlite_is_refused() -> None:
    with pytest.raises(StoreError, match="needs a PostgreSQL archive"):
        connect("sqlite:///a.db", read_url="sqlite:///b.db")


def test_archive_totals_follow_what_another_process_stores(db: StoreType, db_url: str) -> None:
    """The totals a search reads are kept between snapshots; another store (as another
    process) storing or removing a talk changes them at the next snapshot."""

    def totals() -> tuple[int, tuple[int, ...]]:
        with db.snapshot() as snapshot:
            return snapshot.passage_count(), snapshot.vocabulary_version()

    assert totals() == (0, (0, 0, 0, 0))
    assert totals() == (0, (0, 0, 0, 0))  # kept: read the same again
    other = open_store(db_url)
    try:
        ingest(other, SAMPLE)
        count, (talks, _, words, written) = totals()
        assert count > 0 and talks == 1 and words > 0 and written == 1
        with other.write() as writer:
            writer.execute("DELETE FROM talks")  # not counted: not the store's own removal
        assert totals() == (0, (0, 0, 0, 1))
    finally:
        other.dispose()


def _versions(store: StoreType) -> tuple[tuple[int, ...], ...]:
    """The catalogue's version of the archive, the meaning vectors' and the vocabulary's."""
    with store.session() as session:
        archive = archive_version(session)
    with store.snapshot() as snapshot:
        return archive, snapshot.vectors_version(), snapshot.vocabulary_version()


def test_a_talk_written_again_or_gone_and_replaced_changes_the_archives_versions(
    db: StoreType, tmp_path: Path
) -> None:
    """On SQLite a talk written again takes the id it had (a deleted highest id is given to the
    next row), and a talk removed then another added leave the count and the highest id as
    they were: the versions that tell a running server to reload still change."""
    files = write_talks(tmp_path / "files", TWO_TALKS)
    ingest(db, files)
    before = _versions(db)
    ids = table_rows(db, "SELECT id, slug FROM talks ORDER BY id")
    ingest(db, write_talks(files, {"b": ["the second talk says goodbye sun"]}))  # as many words
    again = _versions(db)
    assert all(now != then for now, then in zip(again, before, strict=True))
    if db.backend == "sqlite":
        assert table_rows(db, "SELECT id, slug FROM talks ORDER BY id") == ids  # the same ids
    (files / "b.srt").unlink()
    assert prune(db, search_engine_of(db), vanished_sources(db)) == 1
    ingest(db, write_talks(files, {"c": ["a third talk came instead"]}))
    if db.backend == "sqlite":  # the same talk count and highest id as before
        assert table_rows(db, "SELECT count(*), max(id) FROM talks") == [(2, ids[-1][0])]
    assert _versions(db)[0] not in (before[0], again[0])


def test_what_a_search_reads_again_is_read_once_until_the_archive_changes(
    db: StoreType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The archive's totals (both backends) and, on PostgreSQL, the passages per term are kept
    across snapshots while the archive is unchanged; a change made by hand is seen at once."""
    ingest(db, SAMPLE)
    statements: list[str] = []
    run = type(db).run

    def counted(self: object, driver: object, sql: str, *args: object, **kwargs: object) -> object:
        statements.append(sql)
        return run(self, driver, sql, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(type(db), "run", counted)

    def read() -> tuple[int, int]:
        with db.snapshot() as snapshot:
            return snapshot.passage_count(), snapshot.term_passages("data")

    first = read()
    assert first[0] > 0 and first[1] > 0
    statements.clear()
    assert read() == first
    kept_terms = db.backend == "postgresql"
    assert len(statements) == (0 if kept_terms else 1), statements
    with db.write() as writer:  # by hand: neither through the store nor counted by it
        writer.execute("UPDATE term_passages SET passages = passages + 5 WHERE term = 'data'")
        writer.execute("DELETE FROM talks")
    assert read() == (0, first[1] + 5)


def test_a_statement_searches_repeat_is_prepared_once_for_all_of_them(db: StoreType) -> None:
    """PostgreSQL: psycopg prepares a statement run again and again on one connection, so it
    is planned once; a snapshot that ended in ROLLBACK made it forget them all."""
    if db.backend != "postgresql":
        pytest.skip("SQLite keeps its own statement cache: nothing to prepare")
    ingest(db, SAMPLE)
    for _ in range(8):  # one search after another, each its own snapshot
        with db.snapshot() as snapshot:
            snapshot.hit_rows([1, 2, 3])
    with db.snapshot() as snapshot:
        prepared = snapshot.rows("SELECT statement FROM pg_prepared_statements")
    assert any("FROM passages p JOIN talks t" in sql for (sql,) in prepared), prepared
