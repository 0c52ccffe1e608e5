"""The protocol every search engine implements; routes and ranking never see engine syntax."""

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection
from sqlalchemy.engine import make_url

from app.db import QueryTimeout
from app.search.plan import MatchPlan

__all__ = ["QueryTimeout", "SearchEngine", "get_engine"]


class SearchEngine(Protocol):
    name: str

    def sync(self, conn: Connection) -> int:
        """Bring an index kept outside SQLite in step with the database (committed talks);
        returns how many talks it rewrote. Engines inside SQLite do nothing."""

    def rebuild(self, conn: Connection) -> int:
        """Rebuild the index from the database."""

    def add_passages(self, conn: Connection, rows: Sequence[tuple[int, str]]) -> None:
        """Index (passage id, space-separated index terms) inside the caller's transaction."""

    def remove_talk(self, conn: Connection, talk_id: int) -> None:
        """Drop a talk's passages from the index (before its rows are deleted)."""

    def search(self, conn: Connection, plan: MatchPlan, limit: int) -> list[tuple[int, float]]:
        """Up to `limit` (passage id, relevance), best first; relevance: higher is better."""

    def count_passages(self, conn: Connection) -> int:
        """How many passages the index holds."""

    def term_passages(self, conn: Connection, term: str) -> int:
        """How many passages hold this index term."""


ENGINES = ("fts5", "tantivy", "whoosh")


def index_folder(db_url: str, name: str) -> Path:
    """Where an engine whose index lives outside SQLite keeps it: beside the database file."""
    database = make_url(db_url).database or "talks.db"
    return Path(f"{database}.{name}")


def get_engine(name: str = "fts5", db_url: str | None = None) -> SearchEngine:
    if name == "fts5":
        from app.search.fts5 import Fts5Engine

        return Fts5Engine()
    if name == "tantivy":
        from app.search.tantivy_engine import TantivyEngine

        if db_url is None:
            raise ValueError("the tantivy engine needs the database URL to find its index")
        return TantivyEngine(index_folder(db_url, name))
    if name == "whoosh":
        from app.search.whoosh_engine import WhooshEngine

        if db_url is None:
            raise ValueError("the whoosh engine needs the database URL to find its index")
        return WhooshEngine(index_folder(db_url, name))
    raise ValueError(f"unknown search engine {name!r} (available: {', '.join(ENGINES)})")
