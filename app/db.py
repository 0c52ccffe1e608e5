"""Database engine for SQLite (WAL, foreign keys, busy timeout) and Alembic migrations."""

import logging
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
BUSY_TIMEOUT_MS = 30_000
POOL_SIZE = 20
MMAP_BYTES = 1 << 30


def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # read pages straight from the OS page cache (shared by every connection and worker)
    # instead of copying them through read() into each connection's small private cache
    cursor.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
    cursor.close()


def _autocommit_driver(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN instead


def _begin(conn: Connection) -> None:
    # straight to the driver: SQLAlchemy's statement path costs more than the BEGIN itself
    conn.connection.driver_connection.execute("BEGIN")  # type: ignore[union-attr]


def _begin_immediate(conn: Connection) -> None:
    conn.connection.driver_connection.execute("BEGIN IMMEDIATE")  # type: ignore[union-attr]


def make_engine(url: str, writer: bool = False) -> Engine:
    """An engine for `url`; the SQLite file's folder is created when missing.

    Every connection works in explicit transactions (the pysqlite driver's own is off), so the
    several queries of one search read one snapshot even while an ingest commits. A writer's
    transactions start with BEGIN IMMEDIATE: they take the write lock up front and wait (busy
    timeout) for another writer, instead of failing with "database is locked" when a read
    transaction has to be upgraded after someone else wrote.
    """
    parsed = make_url(url)
    if not parsed.get_backend_name() == "sqlite":
        raise ValueError(f"only SQLite URLs are supported, got {url!r}")
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False},
        pool_size=POOL_SIZE,  # one per request thread: FastAPI runs sync routes in 40 threads
        max_overflow=POOL_SIZE,
        pool_use_lifo=True,  # the most recently used connection: its SQLite page cache is warm
    )
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "connect", _autocommit_driver)
    event.listen(engine, "begin", _begin_immediate if writer else _begin)
    return engine


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the database to the newest schema (no-op when it is already there)."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current == head:
        return
    log.info("migrating database from %s to %s", current, head)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def open_database(url: str, writer: bool = False) -> Iterator[Engine]:
    """A migrated engine for `url`, disposed on exit."""
    engine = make_engine(url, writer=writer)
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()


def driver_rows(conn: Connection, sql: str, params: Sequence[object] = ()) -> list[Any]:
    """Rows as plain tuples straight from the sqlite3 driver, inside `conn`'s transaction.

    For the search path, where building SQLAlchemy result objects cost more than the queries
    themselves (a search runs a dozen small ones)."""
    if not conn.in_transaction():
        conn.begin()  # BEGIN now: every read of this search sees one snapshot
    return conn.connection.driver_connection.execute(sql, params).fetchall()  # type: ignore[union-attr]


class QueryTimeout(Exception):
    """SQLite work was interrupted by `time_limit`."""


@contextmanager
def time_limit(conn: Connection, ms: int) -> Iterator[None]:
    """Interrupt SQLite work on `conn` that runs longer than `ms` (datasette's sqlite_timelimit);
    any statement interrupted inside raises QueryTimeout."""
    raw = conn.connection.dbapi_connection
    deadline = time.perf_counter() + ms / 1000

    def handler() -> int:
        return 1 if time.perf_counter() > deadline else 0

    raw.set_progress_handler(handler, 1_000)  # type: ignore[union-attr]
    try:
        yield
    except (OperationalError, sqlite3.OperationalError) as exc:
        if "interrupted" in str(getattr(exc, "orig", exc)):
            raise QueryTimeout() from exc
        raise
    finally:
        raw.set_progress_handler(None, 0)  # type: ignore[union-attr]
