"""What both backends share: the archive's statements, one read snapshot and one writer
transaction over a pooled SQLAlchemy connection, every statement sent straight to the driver
(building SQLAlchemy result objects cost more than the search's small queries themselves).

Statements are written once with `?` placeholders; a backend whose driver wants another style
rewrites them (`_native`). Backends supply connections, snapshot set-up, time limits and
writer locking.
"""

import functools
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from app.resources import resource_dir
from app.store.base import (
    Backend,
    QueryTimeout,
    StoreError,
)
from app.store.snapshot import SqlSnapshot
from app.store.statements import (
    ADD_WORDS_SQL,
    CHECK_SQL,
    COUNT_CHANGES,
    PASSAGE_COLUMNS,
)
from app.store.writer import SqlWriter
from app.text.phonetic import sound_keys

log = logging.getLogger(__name__)

MIGRATIONS_DIR = resource_dir("migrations")
CHECK_MS = 1000  # a readiness check that takes longer fails


class SqlStore:
    """The archive in one SQL database. Subclasses connect, start snapshots and lock writers."""

    backend: Backend
    read_only = False  # set by a backend that can only read the archive

    def __init__(self, url: str, read_url: str | None = None) -> None:
        self.url = url
        self.read_url = read_url or url
        self._reads = self._pool(self.read_url, writer=False)
        self._writes = self._pool(url, writer=True)
        self._sessions = sessionmaker(self._reads, expire_on_commit=False)
        self._held: tuple[object, dict[str, Any]] = (None, {})

    def held_at(self, mark: object) -> dict[str, Any]:
        """What snapshots of the archive at change mark `mark` have read and keep: the reads
        of the newest mark asked for (an older snapshot's mark starts an empty keep of its
        own, so a value is never shared across marks)."""
        held_mark, held = self._held
        if held_mark != mark:
            held = {}
            self._held = (mark, held)
        return held

    # -- what a backend provides --------------------------------------------------------------

    def _pool(self, url: str, writer: bool) -> Engine:
        raise NotImplementedError

    def _start_snapshot(self, conn: Connection, deadline: float | None) -> object | None:
        """Begin the read transaction; stop its statements past `deadline` (perf_counter).
        Returns the archive's change mark as this transaction sees it when the backend reads
        one as it begins (what the snapshot reads again under the same mark is read once per
        store, not once per search), else None."""
        raise NotImplementedError

    def _end_snapshot(self, conn: Connection) -> None:
        """Undo what _start_snapshot set on the connection."""

    def _timed_out(self, exc: BaseException) -> bool:
        raise NotImplementedError

    def _lock_writer(self, conn: Connection) -> None:
        """Wait until no other writer works on this archive."""

    def _native(self, sql: str) -> str:
        return sql

    def listed(self, values: Sequence[object], kind: str = "integer") -> tuple[str, list[object]]:
        """`values` for `IN (...)`: the SQL between the brackets and its parameters. Here one
        placeholder each; a backend that takes arrays binds one, so the statement's text is
        the same for any number of values and planned once (`kind`: the values' SQL type)."""
        return ",".join("?" * len(values)), list(values)

    def table(self, rows: Sequence[Sequence[int]], width: int) -> tuple[str, list[object]]:
        """Rows of `width` integers as a table a statement can join (`WITH t(a, b) AS (...)`):
        the SQL and its parameters, as `listed` gives them."""
        row = "(" + ", ".join("?" * width) + ")"
        return "VALUES " + ",".join([row] * len(rows)), [x for r in rows for x in r]

    def run(
        self,
        driver: Any,
        sql: str,
        params: Sequence[object] = (),
        fetch: bool = True,
        prepare: bool = True,
    ) -> list[tuple[Any, ...]]:
        """`prepare`: the driver may keep the statement's plan when it runs again (a backend
        without prepared statements ignores it)."""
        cursor = driver.execute(self._native(sql), params, **self._plan_options(prepare))
        return cursor.fetchall() if fetch else []

    def _plan_options(self, prepare: bool) -> dict[str, Any]:
        """The driver's keyword arguments that keep a statement from being prepared."""
        return {}

    def change_mark(self, driver: Any) -> object | None:
        """A value the connection reads again unchanged only if the archive has not changed in
        between; None when the backend has none."""
        return None

    def run_many(self, driver: Any, sql: str, rows: Sequence[Sequence[object]]) -> None:
        driver.executemany(self._native(sql), rows)

    def insert_rows(
        self, driver: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[object]]
    ) -> None:
        """Rows of `columns` into `table` (names from the code, never from input)."""
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" * len(columns))
        self.run_many(driver, f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)

    def _new_passage_ids(self, driver: Any, count: int) -> list[int]:
        """`count` unused passage ids, ascending (the writer holds the archive's lock)."""
        raise NotImplementedError

    def insert_passages(
        self, conn: Connection, talk_id: int, passages: list[dict[str, Any]]
    ) -> list[int]:
        """Stores a talk's passages; returns their ids in the same order. The ids are chosen
        first and the rows go in one insert_rows: SQLAlchemy's insert with RETURNING in
        parameter order wrote a statement a row on SQLite (3 s of a 26 s ingest of 500 hours)
        and each talk's statement anew on PostgreSQL (18 % of an ingest's time in Python)."""
        driver = conn.connection.driver_connection
        ids = self._new_passage_ids(driver, len(passages))
        rows = [
            (pid, talk_id, *(p[c] for c in PASSAGE_COLUMNS))
            for pid, p in zip(ids, passages, strict=True)
        ]
        self.insert_rows(driver, "passages", ("id", "talk_id", *PASSAGE_COLUMNS), rows)
        return ids

    def add_words(self, driver: Any, counts: list[tuple[str, int]]) -> None:
        """Count the words in the vocabulary, new words with their phonetic keys."""
        if counts:
            self.run_many(driver, ADD_WORDS_SQL, [(w, n, sound_keys(w)) for w, n in counts])

    def count(self, driver: Any, change: str, counts: list[tuple[str, int]]) -> None:
        """Add or subtract (key, n) pairs in the vocabulary or term statistics."""
        if not counts:
            return
        if change.startswith("add"):
            self.run_many(driver, COUNT_CHANGES[change], counts)
        else:
            self.run_many(driver, COUNT_CHANGES[change], [(n, key) for key, n in counts])

    # -- shared -------------------------------------------------------------------------------

    @contextmanager
    def snapshot(self, time_limit_ms: int | None = None) -> Iterator[SqlSnapshot]:
        deadline = None if time_limit_ms is None else time.perf_counter() + time_limit_ms / 1000
        with self._reads.connect() as conn:
            mark = self._start_snapshot(conn, deadline)
            try:
                yield SqlSnapshot(self, conn, deadline, mark)
            except QueryTimeout:
                raise
            except Exception as exc:
                if self._timed_out(exc):
                    raise QueryTimeout() from exc
                raise
            finally:
                self._end_snapshot(conn)

    @contextmanager
    def write(self) -> Iterator[SqlWriter]:
        if self.read_only:
            raise StoreError(
                f"the archive {self.url} is read-only: ingest and reindex need a writable copy"
            )
        driver_error = self._writes.dialect.loaded_dbapi.Error
        try:
            with self._writes.begin() as conn:
                self._lock_writer(conn)
                yield SqlWriter(self, conn)
        except driver_error as exc:
            # what the writer ran on the driver itself fails as SQLAlchemy's statements do
            raise DBAPIError.instance(None, None, exc, driver_error) from exc

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    def migrate(self) -> None:
        """Bring the database to the newest schema (no-op when it is already there)."""
        cfg = alembic_config(self.url)
        head = schema_head()
        with self._reads.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
        if current == head:
            return
        if self.read_only:
            raise StoreError(
                f"the archive {self.url} is read-only and was written by an older version: "
                "open it once where it can be written to bring it up to date"
            )
        with self._writes.begin() as conn:
            self._lock_writer(conn)
            current = MigrationContext.configure(conn).get_current_revision()
            if current == head:
                return  # another process migrated while this one waited
            log.info("migrating database from %s to %s", current, head)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def backup(self, dest: Path) -> int:
        raise StoreError(
            f"`talks backup` copies SQLite archives; back up {self.backend} with its own tools "
            "(PostgreSQL: pg_dump --format=custom, see the README)"
        )

    def check(self) -> None:
        with self.snapshot(CHECK_MS) as snapshot:
            snapshot.rows(CHECK_SQL)

    def dispose(self) -> None:

        self._reads.dispose()
        self._writes.dispose()


@functools.cache
def schema_head() -> str | None:
    """The newest migration's revision, read from the scripts once per process: a process that
    later drops its privileges (or a worker forked from it) need not read them again."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def alembic_config(url: str) -> Config:

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@lru_cache(maxsize=1024)
def pyformat(sql: str) -> str:
    """`?` placeholders as `%s` (and literal `%` doubled), for drivers of that style."""
    return sql.replace("%", "%%").replace("?", "%s")
