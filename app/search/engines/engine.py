"""The protocol every search engine implements; routes and ranking never see engine syntax.

Engines read and write through the store (app/store): a snapshot for searches, the talk's
writer transaction for an index kept inside the database."""

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from sqlalchemy.engine import make_url

from app.search.language.plan import Filters, MatchPlan
from app.store import Snapshot, Store, StoreError, Writer, backend_of, missing_extra
from app.store.base import contains_pattern

__all__ = ["ENGINES", "SearchEngine", "get_engine"]


class SearchEngine(Protocol):
    name: str
    # whether a phrase of common words costs no more than the AND of its words: the service
    # then asks for a few words, or common ones, as said first, and for the words anywhere
    # only when that phrase does not fill a block with exact readings
    cheap_phrases: bool

    def sync(self, store: Store) -> int:
        """Bring the index in step with the committed talks; returns how many talks it
        rewrote. An index written in each talk's transaction only repairs a mismatch."""

    def rebuild(self, store: Store) -> int:
        """Rebuild the index from the database; returns how many talks it holds."""

    def add_passages(self, writer: Writer, rows: Sequence[tuple[int, str]]) -> None:
        """Index (passage id, space-separated index terms) inside the talk's transaction."""

    def remove_talk(self, writer: Writer, talk_id: int) -> None:
        """Drop a talk's passages from the index (before its rows are deleted)."""

    def search(
        self, snapshot: Snapshot, plan: MatchPlan, limit: int, best_of: int | None = None
    ) -> list[tuple[int, float]]:
        """Up to `limit` (passage id, relevance), best first; relevance: higher is better.
        `best_of`: how many matches are enough to choose them from, for an engine that ranks
        a sample of the newest when there are many (FTS5); None: the engine's own."""

    def count_passages(self, snapshot: Snapshot) -> int:
        """How many passages the index holds."""

    def term_passages(self, snapshot: Snapshot, term: str) -> int:
        """How many passages hold this index term."""

    def read_terms(self, snapshot: Snapshot, terms: list[str]) -> None:
        """Before term_passages is asked of several terms: read their counts at once where
        each would cost a statement (a no-op for an engine that holds them in memory)."""


ENGINES = ("fts5", "postgres", "tantivy", "whoosh")
NATIVE = {"sqlite": "fts5", "postgresql": "postgres"}  # the engine inside each backend
DEFAULT_INDEX_DIR = Path("data")


def index_folder(db_url: str, name: str, index_dir: str | None = None) -> Path:
    """Where an engine whose index lives outside the database keeps it: beside an SQLite file
    (or in `index_dir`); for PostgreSQL, in `index_dir` (default data/) on each node."""
    url = make_url(db_url)
    if backend_of(db_url) == "sqlite":
        database = Path(url.database or "talks.db")
        folder = database.parent if index_dir is None else Path(index_dir)
        return folder / f"{database.name}.{name}"
    label = f"{url.host or 'local'}-{url.port or 5432}-{url.database or 'talks'}"
    return Path(index_dir or DEFAULT_INDEX_DIR) / f"{label}.{name}"


def get_engine(
    name: str | None = None, db_url: str = "sqlite:///data/talks.db", index_dir: str | None = None
) -> SearchEngine:
    """The engine `name` (default: the one inside the database) for the archive at `db_url`."""
    backend = backend_of(db_url)
    name = name or NATIVE[backend]
    if name in NATIVE.values() and NATIVE[backend] != name:
        other = next(b for b, e in NATIVE.items() if e == name)
        raise StoreError(f"the {name} engine needs a {other} archive; this one is {backend}")
    if name == "fts5":
        from app.search.engines.fts5 import Fts5Engine

        return Fts5Engine()
    if name == "postgres":
        from app.search.engines.postgres_engine import PostgresEngine

        return PostgresEngine()
    if name == "tantivy":
        try:
            from app.search.engines.tantivy_engine import TantivyEngine
        except ImportError as exc:
            raise StoreError(missing_extra("tantivy", "the tantivy engine", exc)) from None
        return TantivyEngine(index_folder(db_url, name, index_dir))

    if name == "whoosh":
        from app.search.engines.whoosh_engine import WhooshEngine

        return WhooshEngine(index_folder(db_url, name, index_dir))
    raise StoreError(f"unknown search engine {name!r} (available: {', '.join(ENGINES)})")


def filter_conditions(filters: Filters, date: str = "?") -> tuple[list[str], list[object]]:
    """The WHERE conditions of a search's filters over `talks t` and `passages p`, from a fixed
    set of columns, and their parameters; `date` is the placeholder a date is compared as (a
    backend may need a cast). The SQL engines join these to their own index tables."""
    where: list[str] = []
    params: list[object] = []
    if filters.talk:
        where.append("t.slug = ?")
        params.append(filters.talk)
    if filters.talks is not None:
        where.append(f"t.slug IN ({', '.join('?' * len(filters.talks)) or 'NULL'})")
        params.extend(filters.talks)
    if filters.date_from:
        where.append(f"t.date >= {date}")
        params.append(filters.date_from)
    if filters.date_to:
        where.append(f"t.date <= {date}")
        params.append(filters.date_to)
    for name in filters.speakers:
        where.append("p.speakers LIKE ? ESCAPE '\\'")
        params.append(contains_pattern(name))
    return where, params
