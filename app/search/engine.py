"""The protocol every search engine implements; routes and ranking never see engine syntax."""

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import Connection

from app.db import QueryTimeout
from app.search.plan import MatchPlan

__all__ = ["QueryTimeout", "SearchEngine", "get_engine"]


class SearchEngine(Protocol):
    name: str

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



def get_engine(name: str = "fts5") -> SearchEngine:
    if name == "fts5":
        from app.search.fts5 import Fts5Engine

        return Fts5Engine()
    raise ValueError(f"unknown search engine {name!r} (available: fts5)")
