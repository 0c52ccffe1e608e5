"""The only place with SQL: one protocol for what the archive reads and writes (base.py), and
its two implementations, SQLite (one file, one machine) and PostgreSQL (several nodes)."""

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from app.store.base import QueryTimeout, Snapshot, Store, StoreError, TalkRecord, Writer

__all__ = [
    "QueryTimeout",
    "Snapshot",
    "Store",
    "StoreError",
    "TalkRecord",
    "Writer",
    "backend_of",
    "connect",
    "open_store",
]


def backend_of(url: str) -> str:
    """The backend of a database URL, "sqlite" or "postgresql"; StoreError for anything else."""
    try:
        name = make_url(url).get_backend_name()
    except ArgumentError:
        raise StoreError(
            f"{url!r} is not a database URL: use sqlite:///path/to/talks.db or "
            "postgresql+psycopg://user:password@host/database"
        ) from None
    if name not in ("sqlite", "postgresql"):
        raise StoreError(f"{name} databases are not supported: use SQLite or PostgreSQL")
    return name


def connect(url: str, read_url: str | None = None) -> Store:
    """A store for `url` (searches read from `read_url` when given: a replica)."""
    if backend_of(url) == "sqlite":
        from app.store.sqlite import SqliteStore

        if read_url is not None and read_url != url:
            raise StoreError("a read replica (TALKS_READ_DB) needs a PostgreSQL archive")
        return SqliteStore(url)
    if read_url is not None and backend_of(read_url) != "postgresql":
        raise StoreError("the read replica must be a PostgreSQL database too")
    try:  # the driver is imported by the store's module or by SQLAlchemy when it connects
        from app.store.postgres import PostgresStore

        return PostgresStore(_psycopg(url), _psycopg(read_url) if read_url else None)
    except ImportError as exc:
        raise StoreError(missing_extra("postgres", "a PostgreSQL archive", exc)) from None


def missing_extra(extra: str, what: str, exc: ImportError) -> str:
    """The one line a command says when `what` needs a package of an extra not installed."""
    return (
        f"{what} needs the {extra} extra ({exc.name or exc} is not installed): "
        f"pip install 'talks[{extra}]'"
    )


def _psycopg(url: str) -> str:
    """postgresql://... and postgresql+psycopg://... alike: psycopg 3 is the driver."""
    return make_url(url).set(drivername="postgresql+psycopg").render_as_string(False)


def open_store(url: str, read_url: str | None = None) -> Store:
    """A migrated store for `url`."""
    store = connect(url, read_url)
    try:
        store.migrate()
    except Exception:
        store.dispose()
        raise
    return store
