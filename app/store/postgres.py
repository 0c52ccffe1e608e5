"""The archive in PostgreSQL, shared by any number of `talks serve` nodes.

A search reads one snapshot (REPEATABLE READ READ ONLY), each of its statements is stopped by
`statement_timeout` and the search as a whole by the store's deadline. Searches may read from a
replica (`read_url`). Writers take turns through a transaction-level advisory lock, so ingests
from several machines never interleave their vocabulary and statistics updates; readers are
never blocked by them.
"""

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.exc import DBAPIError

from app.store.sql import SqlStore, pyformat
from app.text.phonetic import sound_keys

POOL_SIZE = 20
PASSAGE_IDS_SQL = (
    "SELECT nextval(pg_get_serial_sequence('passages', 'id')) FROM generate_series(1, %s)"
)
WRITER_LOCK = 0x74616C6B  # "talk": one key for every writer of the archive
SNAPSHOT_SQL = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
TIMEOUT_SQL = "SET LOCAL statement_timeout = {ms}"
# every statement writing the talks or the term counts adds one (a trigger, migrations/0013):
# the archive's change mark, read as the snapshot's first statement, so the snapshot sees the
# archive the mark names
MARK_SQL = "SELECT writes FROM archive_changes"
LOCK_SQL = f"SELECT pg_advisory_xact_lock({WRITER_LOCK})"
# one statement per talk and table, the pairs as two arrays: row-by-row upserts of a talk's
# 5,000 words took most of an ingest's time
PAIRS = "unnest(CAST(%s AS text[]), CAST(%s AS integer[])) AS d(key, n)"
ADD_WORDS_SQL = (
    "INSERT INTO vocabulary(word, count, sounds) SELECT key, n, sounds FROM "
    "unnest(CAST(%s AS text[]), CAST(%s AS integer[]), CAST(%s AS text[])) AS d(key, n, sounds) "
    "ON CONFLICT(word) DO UPDATE SET count = vocabulary.count + excluded.count"
)
COUNT_CHANGES = {
    "subtract_words": (
        f"UPDATE vocabulary v SET count = v.count - d.n FROM {PAIRS} WHERE v.word = d.key"
    ),
    "add_terms": (
        f"INSERT INTO term_passages(term, passages) SELECT key, n FROM {PAIRS} "
        "ON CONFLICT(term) DO UPDATE SET passages = term_passages.passages + excluded.passages"
    ),
    "subtract_terms": (
        f"UPDATE term_passages t SET passages = t.passages - d.n FROM {PAIRS} WHERE t.term = d.key"
    ),
}


class PostgresStore(SqlStore):
    backend = "postgresql"

    def _pool(self, url: str, writer: bool) -> Engine:
        return create_engine(
            url,
            pool_size=POOL_SIZE,
            max_overflow=POOL_SIZE,
            pool_use_lifo=True,
            pool_pre_ping=True,  # a node outlives database restarts and failovers
        )

    def _start_snapshot(self, conn: Connection, deadline: float | None) -> object | None:
        """The transaction's settings and its change mark in one round trip (statements
        without parameters: one simple query, a result per statement)."""
        driver: Any = conn.connection.driver_connection
        statements = [SNAPSHOT_SQL]  # the transaction's first statement
        if deadline is not None:  # at least 1 ms: 0 would mean "no limit" to PostgreSQL
            ms = max(1, int((deadline - time.perf_counter()) * 1000))
            statements.append(TIMEOUT_SQL.format(ms=ms))
        cursor = driver.execute("; ".join([*statements, MARK_SQL]))
        while cursor.description is None and cursor.nextset():
            pass
        row = cursor.fetchone()
        return None if row is None else int(row[0])

    def _end_snapshot(self, conn: Connection) -> None:
        """COMMIT, not the pool's ROLLBACK: psycopg forgets every statement it prepared on the
        connection at a ROLLBACK, so none was ever prepared (the moments' facts: 1.15 ms a
        search unprepared, 0.43 prepared, for 40 moments at 1,000 hours)."""
        conn.connection.driver_connection.commit()

    def _timed_out(self, exc: BaseException) -> bool:
        import psycopg

        if isinstance(exc, DBAPIError):
            exc = exc.orig  # type: ignore[assignment]
        return isinstance(exc, psycopg.errors.QueryCanceled)

    def _lock_writer(self, conn: Connection) -> None:
        conn.exec_driver_sql(LOCK_SQL)

    def _native(self, sql: str) -> str:
        return pyformat(sql)

    def listed(self, values: Sequence[object], kind: str = "integer") -> tuple[str, list[object]]:
        """One array: planning a join took 0.5 ms where running it took 0.1 (10,000 hours),
        and psycopg prepares a statement it runs again with the same text."""
        return f"SELECT unnest(CAST(? AS {kind}[]))", [list(values)]

    def table(self, rows: Sequence[Sequence[int]], width: int) -> tuple[str, list[object]]:
        columns = ", ".join(["CAST(? AS integer[])"] * width)
        by_column = [[row[k] for row in rows] for k in range(width)]
        return f"SELECT * FROM unnest({columns})", by_column

    def add_words(self, driver: Any, counts: list[tuple[str, int]]) -> None:
        if counts:
            words, numbers = zip(*counts, strict=True)
            driver.execute(
                ADD_WORDS_SQL, (list(words), list(numbers), [sound_keys(w) for w in words])
            )

    def count(self, driver: Any, change: str, counts: list[tuple[str, int]]) -> None:
        if counts:
            keys, numbers = zip(*counts, strict=True)
            driver.execute(COUNT_CHANGES[change], (list(keys), list(numbers)))

    def _plan_options(self, prepare: bool) -> dict[str, Any]:
        """Unprepared when asked: PostgreSQL plans a prepared statement for any parameters
        after five runs, and a full-text query planned without its words walked the whole
        index for a rare phrase (631 ms at 10,000 hours, against 15.5 planned for it)."""
        return {} if prepare else {"prepare": False}

    def run_many(self, driver: Any, sql: str, rows: Any) -> None:
        with driver.cursor() as cursor:
            cursor.executemany(self._native(sql), rows)

    def insert_rows(
        self, driver: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[object]]
    ) -> None:
        """COPY: an INSERT a row took most of a talk's write (1,000 segments a talk)."""
        names = ", ".join(f'"{c}"' for c in columns)
        with driver.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def _new_passage_ids(self, driver: Any, count: int) -> list[int]:
        return sorted(pid for (pid,) in driver.execute(PASSAGE_IDS_SQL, (count,)))
