"""Document frequencies (passages per index term), kept in step by the loader in each talk's
transaction, for every engine: the service's estimates and FTS5's scan bound read them."""

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import Connection

from app.db import driver_rows

ADD_SQL = (
    "INSERT INTO term_passages(term, passages) VALUES (?, ?) "
    "ON CONFLICT(term) DO UPDATE SET passages = passages + excluded.passages"
)
SUBTRACT_SQL = "UPDATE term_passages SET passages = passages - ? WHERE term = ?"
PRUNE_SQL = "DELETE FROM term_passages WHERE passages <= 0"
COUNT_SQL = "SELECT passages FROM term_passages WHERE term = ?"


def passage_terms(passages: Iterable[str]) -> Counter[str]:
    """Each term once per passage that holds it (passages as their space-joined terms)."""
    counts: Counter[str] = Counter()
    for terms in passages:
        counts.update(set(terms.split()))
    return counts


def add(conn: Connection, counts: Counter[str]) -> None:
    if counts:
        conn.exec_driver_sql(ADD_SQL, list(counts.items()))


def remove(conn: Connection, counts: Counter[str]) -> None:
    if counts:
        conn.exec_driver_sql(SUBTRACT_SQL, [(n, t) for t, n in counts.items()])
        conn.exec_driver_sql(PRUNE_SQL)


def passages_with(conn: Connection, term: str) -> int:
    rows = driver_rows(conn, COUNT_SQL, (term,))
    return int(rows[0][0]) if rows else 0
