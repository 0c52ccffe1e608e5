"""The archive in one SQLite file: WAL, foreign keys, a busy timeout, memory-mapped reads. An
archive that cannot be written (a read-only volume, or `?mode=ro`) is opened immutable.

Every connection works in explicit transactions (the pysqlite driver's own is off), so the
several reads of one search see one snapshot even while an ingest commits. A writer's
transactions start with BEGIN IMMEDIATE: they take the write lock up front and wait (busy
timeout) for another writer, instead of failing with "database is locked" when a read
transaction has to be upgraded after someone else wrote. A search's time limit is SQLite's
progress handler (datasette's sqlite_timelimit).
"""

import os
import sqlite3
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from app.store.base import StoreError
from app.store.sql import SqlStore

BUSY_TIMEOUT_MS = 30_000
POOL_SIZE = 20
# SQLite reads pages with pread into its page cache, not through a memory map: mapped pages of
# the archive count in each worker's resident memory (at 10,000 hours, 1 GiB mapped: 1,206 MB
# RSS a worker after 320 searches, 160 MB of it its own; unmapped: 194 MB), and at 10,000 hours
# reads were faster unmapped (p50 0.82-0.95x per class; at 1,000 hours 1.00-1.11x), measured
# with tests/bench/ab_http.py on one archive. Pages read stay in the kernel's cache, shared.
MMAP_BYTES = 0
PROGRESS_STEPS = 1_000  # SQLite virtual-machine steps between two looks at the clock
DATA_VERSION_SQL = "PRAGMA data_version"
MAX_PASSAGE_ID_SQL = "SELECT coalesce(max(id), 0) FROM passages"


def _on_connect_read_only(dbapi_connection: Any, _record: object) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
    cursor.close()


def read_only_path(url: str) -> Path | None:
    """The archive's file when it can only be read: `?mode=ro` in the URL, or a file (or
    folder) this process may not write, as on a read-only volume."""
    parsed = make_url(url)
    if not parsed.database or parsed.database == ":memory:":
        return None
    path = Path(parsed.database).expanduser()
    if parsed.query.get("mode") == "ro":
        return path
    if path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        return path
    return None


def _on_connect(dbapi_connection: Any, _record: object) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN instead
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    _to_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # read pages straight from the OS page cache (shared by every connection and worker)
    # instead of copying them through read() into each connection's small private cache
    cursor.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
    cursor.close()


def _to_wal(cursor: sqlite3.Cursor) -> None:
    """WAL mode, waiting as long as the busy timeout for the lock it takes: SQLite does not
    wait for it (no busy handler), so two processes opening one new archive at once had one
    fail with "database is locked" (tests/e2e/test_crash_and_concurrency.py, 2 runs in 15)."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _begin(conn: Connection) -> None:
    # straight to the driver: SQLAlchemy's statement path costs more than the BEGIN itself
    conn.connection.driver_connection.execute("BEGIN")  # type: ignore[union-attr]


def _begin_immediate(conn: Connection) -> None:
    conn.connection.driver_connection.execute("BEGIN IMMEDIATE")  # type: ignore[union-attr]


class SqliteStore(SqlStore):
    backend = "sqlite"

    def _pool(self, url: str, writer: bool) -> Engine:
        read_only = read_only_path(url)
        if read_only is not None:
            # immutable: no locks, no -wal/-shm files to create beside it (a finished archive;
            # whatever sits uncheckpointed in a -wal file is not seen)
            self.read_only = True
            url = f"sqlite:///file:{quote(str(read_only.resolve()))}?mode=ro&immutable=1&uri=true"
        else:
            parsed = make_url(url)
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        pool = create_engine(
            url,
            connect_args={"check_same_thread": False},
            pool_size=POOL_SIZE,  # one per request thread: FastAPI runs sync routes in 40 threads
            max_overflow=POOL_SIZE,
            pool_use_lifo=True,  # the most recently used connection: its page cache is warm
        )
        event.listen(pool, "connect", _on_connect_read_only if read_only else _on_connect)
        event.listen(pool, "begin", _begin_immediate if writer and not read_only else _begin)
        return pool

    def _new_passage_ids(self, driver: Any, count: int) -> list[int]:
        """The next free ids: this transaction holds the write lock."""
        first = self.run(driver, MAX_PASSAGE_ID_SQL)[0][0] + 1
        return list(range(first, first + count))

    def check(self) -> None:
        """Also that the file is still there: a connection open on a deleted file reads on."""
        database = make_url(self.url).database
        if database and database != ":memory:" and not Path(database).expanduser().exists():
            raise StoreError(f"the archive file {database} is gone")

        super().check()

    def backup(self, dest: Path) -> int:
        """SQLite's online backup: page by page from one read transaction, so the copy is the
        archive as it was at one moment even while `talks serve` or an ingest uses it."""
        if dest.exists():
            raise StoreError(f"{dest} already exists: choose a new file for the backup")
        partial = dest.with_name(dest.name + ".partial")
        try:
            with self._reads.connect() as conn:
                source: Any = conn.connection.driver_connection
                target = sqlite3.connect(partial)
                try:
                    source.backup(target)
                finally:
                    target.close()
            partial.rename(dest)  # a backup cut short never looks like a finished one
        except (sqlite3.Error, OSError) as exc:
            partial.unlink(missing_ok=True)
            raise StoreError(f"the backup to {dest} failed: {exc}") from exc
        return dest.stat().st_size

    def _start_snapshot(self, conn: Connection, deadline: float | None) -> None:
        conn.begin()  # BEGIN now: every read of this search sees one snapshot
        if deadline is not None:

            def past_deadline() -> int:
                return 1 if time.perf_counter() > deadline else 0

            conn.connection.dbapi_connection.set_progress_handler(  # type: ignore[union-attr]
                past_deadline, PROGRESS_STEPS
            )

    def change_mark(self, driver: Any) -> object | None:
        # data_version changes when another connection commits; total_changes when this one
        # writes
        return (driver.execute(DATA_VERSION_SQL).fetchone()[0], driver.total_changes)

    def _end_snapshot(self, conn: Connection) -> None:
        conn.connection.dbapi_connection.set_progress_handler(None, 0)  # type: ignore[union-attr]

    def _timed_out(self, exc: BaseException) -> bool:
        if isinstance(exc, OperationalError):
            exc = exc.orig  # type: ignore[assignment]
        return isinstance(exc, sqlite3.OperationalError) and "interrupted" in str(exc)
