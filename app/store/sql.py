"""What both backends share: the archive's statements, one read snapshot and one writer
transaction over a pooled SQLAlchemy connection, every statement sent straight to the driver
(building SQLAlchemy result objects cost more than the search's small queries themselves).

Statements are written once with `?` placeholders; a backend whose driver wants another style
rewrites them (`_native`). Backends supply connections, snapshot set-up, time limits and
writer locking.
"""

import logging
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, delete, insert, select
from sqlalchemy.orm import Session, sessionmaker

from app.models import Chapter, Passage, Segment, Talk
from app.search.analysis import words
from app.store.base import (
    Backend,
    HitRow,
    PassageIndex,
    QueryTimeout,
    SegmentRow,
    TalkRecord,
    chunks,
)

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "migrations"

TERMS_SQL = "SELECT id, talk_id, word_start, terms FROM passages WHERE id IN ({marks})"
HIT_SQL = (
    "SELECT p.id, p.talk_id, p.word_start, p.first_segment, p.last_segment, "
    "t.slug, t.title, t.date, t.speakers, t.youtube_id, t.video_url, t.media_url "
    "FROM passages p JOIN talks t ON t.id = p.talk_id WHERE p.id IN ({marks})"
)
SEGMENTS_SQL = (
    'SELECT ? AS hit, ord, start, "end", speaker, text, word_offset, word_count FROM segments '
    "WHERE talk_id = ? AND ord BETWEEN ? AND ?"
)
PASSAGE_SEGMENTS_SQL = (
    "SELECT p.id, s.ord, s.start, s.\"end\", s.speaker, '', s.word_offset, s.word_count "
    "FROM passages p JOIN segments s "
    "ON s.talk_id = p.talk_id AND s.ord BETWEEN p.first_segment AND p.last_segment + 1 "
    "WHERE p.id IN ({marks}) ORDER BY p.id, s.ord"
)
WORD_COUNT_SQL = "SELECT count FROM vocabulary WHERE word = ?"
PREFIX_SQL = "SELECT word FROM vocabulary WHERE word >= ? AND word < ? ORDER BY count DESC LIMIT ?"
VOCABULARY_SQL = "SELECT word, count FROM vocabulary"
VERSION_SQL = "SELECT count(*), coalesce(max(id), 0), coalesce(sum(word_count), 0) FROM talks"
TERM_PASSAGES_SQL = "SELECT passages FROM term_passages WHERE term = ?"
PASSAGE_COUNT_SQL = "SELECT coalesce(sum(passage_count), 0) FROM talks"
TALK_HASHES_SQL = "SELECT id, content_hash FROM talks"
TO_INDEX_SQL = (
    "SELECT p.id, p.talk_id, p.terms, p.speakers, t.slug, t.date "
    "FROM passages p JOIN talks t ON t.id = p.talk_id WHERE p.talk_id = ? ORDER BY p.id"
)
TALK_HASH_SQL = "SELECT content_hash FROM talks WHERE slug = ?"
ADD_WORDS_SQL = (
    "INSERT INTO vocabulary(word, count) VALUES (?, ?) "
    "ON CONFLICT(word) DO UPDATE SET count = vocabulary.count + excluded.count"
)
SUBTRACT_WORDS_SQL = "UPDATE vocabulary SET count = count - ? WHERE word = ?"  # (n, word)
PRUNE_WORDS_SQL = "DELETE FROM vocabulary WHERE count <= 0"
ADD_TERMS_SQL = (
    "INSERT INTO term_passages(term, passages) VALUES (?, ?) "
    "ON CONFLICT(term) DO UPDATE SET passages = term_passages.passages + excluded.passages"
)
SUBTRACT_TERMS_SQL = "UPDATE term_passages SET passages = passages - ? WHERE term = ?"
PRUNE_TERMS_SQL = "DELETE FROM term_passages WHERE passages <= 0"
COUNT_CHANGES = {
    "add_words": ADD_WORDS_SQL,
    "subtract_words": SUBTRACT_WORDS_SQL,
    "add_terms": ADD_TERMS_SQL,
    "subtract_terms": SUBTRACT_TERMS_SQL,
}


def passage_terms(passages: Iterable[str]) -> Counter[str]:
    """Each term once per passage that holds it (passages as their space-joined terms): the
    document frequencies kept in term_passages."""
    counts: Counter[str] = Counter()
    for terms in passages:
        counts.update(set(terms.split()))
    return counts


class SqlSnapshot:
    """One read transaction; `rows` is the one place its statements run."""

    def __init__(self, store: "SqlStore", conn: Connection, deadline: float | None) -> None:
        self._store = store
        self._driver = conn.connection.driver_connection
        self._deadline = deadline

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        if self._deadline is not None and time.perf_counter() > self._deadline:
            raise QueryTimeout()
        return self._store.run(self._driver, sql, params)

    def passage_terms(self, ids: list[int]) -> dict[int, tuple[int, int, list[str]]]:
        out: dict[int, tuple[int, int, list[str]]] = {}
        for chunk in chunks(ids):
            sql = TERMS_SQL.format(marks=",".join("?" * len(chunk)))
            for pid, talk_id, word_start, terms in self.rows(sql, chunk):
                out[pid] = (talk_id, word_start, terms.split(" "))
        return out

    def hit_rows(self, ids: list[int]) -> dict[int, HitRow]:
        out: dict[int, HitRow] = {}
        for chunk in chunks(ids):
            sql = HIT_SQL.format(marks=",".join("?" * len(chunk)))
            out.update({row[0]: HitRow(*row) for row in self.rows(sql, chunk)})
        return out

    def hit_segments(self, hits: list[HitRow]) -> list[list[SegmentRow]]:
        """In one statement for every hit."""
        out: list[list[SegmentRow]] = [[] for _ in hits]
        if not hits:
            return out
        sql = " UNION ALL ".join([SEGMENTS_SQL] * len(hits)) + " ORDER BY hit, ord"
        params: list[object] = []
        for k, hit in enumerate(hits):
            params += [k, hit.talk_id, hit.first_segment, hit.last_segment + 1]
        for hit, *fields in self.rows(sql, params):
            out[hit].append(SegmentRow(*fields))
        return out

    def passage_segments(self, ids: list[int]) -> dict[int, list[SegmentRow]]:
        out: dict[int, list[SegmentRow]] = {}
        for chunk in chunks(ids):
            sql = PASSAGE_SEGMENTS_SQL.format(marks=",".join("?" * len(chunk)))
            for pid, *fields in self.rows(sql, chunk):
                out.setdefault(pid, []).append(SegmentRow(*fields))
        return out

    def word_count(self, word: str) -> int:
        found = self.rows(WORD_COUNT_SQL, (word,))
        return int(found[0][0]) if found else 0

    def prefix_words(self, prefix: str, limit: int) -> list[str]:
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        return [w for (w,) in self.rows(PREFIX_SQL, (prefix, upper, limit))]

    def vocabulary(self) -> list[tuple[str, int]]:
        return [(w, int(c)) for w, c in self.rows(VOCABULARY_SQL)]

    def vocabulary_version(self) -> tuple[int, ...]:
        return tuple(int(x) for x in self.rows(VERSION_SQL)[0])

    def term_passages(self, term: str) -> int:
        found = self.rows(TERM_PASSAGES_SQL, (term,))
        return int(found[0][0]) if found else 0

    def passage_count(self) -> int:
        return int(self.rows(PASSAGE_COUNT_SQL)[0][0])

    def talk_hashes(self) -> dict[int, str]:
        return {int(tid): h for tid, h in self.rows(TALK_HASHES_SQL)}

    def passages_to_index(self, talk_id: int) -> list[tuple[Any, ...]]:
        return self.rows(TO_INDEX_SQL, (talk_id,))

    def talk_hash(self, slug: str) -> str | None:
        found = self.rows(TALK_HASH_SQL, (slug,))
        return found[0][0] if found else None


class SqlWriter:
    """One write transaction on a writer connection."""

    def __init__(self, store: "SqlStore", conn: Connection) -> None:
        self._store = store
        self.conn = conn
        self._driver = conn.connection.driver_connection

    def execute(self, sql: str, params: Sequence[object] = ()) -> None:
        self._store.run(self._driver, sql, params, fetch=False)

    def execute_many(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        if rows:
            self._store.run_many(self._driver, sql, rows)

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        return self._store.run(self._driver, sql, params)

    def replace_talk(self, record: TalkRecord, index: PassageIndex) -> str:
        conn = self.conn
        old = conn.execute(
            select(Talk.id, Talk.content_hash).where(Talk.slug == record.slug)
        ).first()
        if old is not None and old[1] == record.content_hash:
            return "unchanged"  # another ingest stored the same content meanwhile
        if old is not None:
            self._forget_talk(old[0], index)
        talk_id = conn.execute(
            insert(Talk).values(
                slug=record.slug,
                content_hash=record.content_hash,
                passage_count=len(record.passages),
                **record.columns,
            )
        ).inserted_primary_key[0]
        conn.execute(insert(Segment), [{**s, "talk_id": talk_id} for s in record.segments])
        if record.chapters:
            conn.execute(insert(Chapter), [{**c, "talk_id": talk_id} for c in record.chapters])
        if record.passages:
            rows = [{**p, "talk_id": talk_id} for p in record.passages]
            ids = conn.execute(
                insert(Passage).returning(Passage.id, sort_by_parameter_order=True), rows
            ).scalars()
            index.add_passages(
                self, [(pid, p["terms"]) for pid, p in zip(ids, record.passages, strict=True)]
            )
        self._store.count(self._driver, "add_words", sorted(record.words.items()))
        terms = passage_terms(p["terms"] for p in record.passages)
        self._store.count(self._driver, "add_terms", sorted(terms.items()))
        return "new" if old is None else "updated"

    def _forget_talk(self, talk_id: int, index: PassageIndex) -> None:
        """Take a talk's words and terms out of the counts, its passages out of the index,
        and its rows out of the tables."""
        conn = self.conn
        old_words: Counter[str] = Counter()
        for (text,) in conn.execute(select(Segment.text).where(Segment.talk_id == talk_id)):
            old_words.update(words(text))
        self._store.count(self._driver, "subtract_words", sorted(old_words.items()))
        self.execute(PRUNE_WORDS_SQL)
        old_terms = passage_terms(
            t for (t,) in conn.execute(select(Passage.terms).where(Passage.talk_id == talk_id))
        )
        self._store.count(self._driver, "subtract_terms", sorted(old_terms.items()))
        self.execute(PRUNE_TERMS_SQL)
        index.remove_talk(self, talk_id)
        conn.execute(delete(Talk).where(Talk.id == talk_id))


class SqlStore:
    """The archive in one SQL database. Subclasses connect, start snapshots and lock writers."""

    backend: Backend

    def __init__(self, url: str, read_url: str | None = None) -> None:
        self.url = url
        self.read_url = read_url or url
        self._reads = self._pool(self.read_url, writer=False)
        self._writes = self._pool(url, writer=True)
        self._sessions = sessionmaker(self._reads, expire_on_commit=False)

    # -- what a backend provides --------------------------------------------------------------

    def _pool(self, url: str, writer: bool) -> Engine:
        raise NotImplementedError

    def _start_snapshot(self, conn: Connection, deadline: float | None) -> None:
        """Begin the read transaction; stop its statements past `deadline` (perf_counter)."""
        raise NotImplementedError

    def _end_snapshot(self, conn: Connection) -> None:
        """Undo what _start_snapshot set on the connection."""

    def _timed_out(self, exc: BaseException) -> bool:
        raise NotImplementedError

    def _lock_writer(self, conn: Connection) -> None:
        """Wait until no other writer works on this archive."""

    def _native(self, sql: str) -> str:
        return sql

    def run(
        self, driver: Any, sql: str, params: Sequence[object] = (), fetch: bool = True
    ) -> list[tuple[Any, ...]]:
        cursor = driver.execute(self._native(sql), params)
        return cursor.fetchall() if fetch else []

    def run_many(self, driver: Any, sql: str, rows: Sequence[Sequence[object]]) -> None:
        driver.executemany(self._native(sql), rows)

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
            self._start_snapshot(conn, deadline)
            try:
                yield SqlSnapshot(self, conn, deadline)
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
        with self._writes.begin() as conn:
            self._lock_writer(conn)
            yield SqlWriter(self, conn)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    def migrate(self) -> None:
        """Bring the database to the newest schema (no-op when it is already there)."""
        cfg = alembic_config(self.url)
        head = ScriptDirectory.from_config(cfg).get_current_head()
        with self._reads.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
        if current == head:
            return
        with self._writes.begin() as conn:
            self._lock_writer(conn)
            current = MigrationContext.configure(conn).get_current_revision()
            if current == head:
                return  # another process migrated while this one waited
            log.info("migrating database from %s to %s", current, head)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def dispose(self) -> None:
        self._reads.dispose()
        self._writes.dispose()


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@lru_cache(maxsize=1024)
def pyformat(sql: str) -> str:
    """`?` placeholders as `%s` (and literal `%` doubled), for drivers of that style."""
    return sql.replace("%", "%%").replace("?", "%s")
