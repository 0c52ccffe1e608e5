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
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, delete, insert, or_, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from app.models import Chapter, Passage, Segment, Talk, TalkAlias
from app.models import Transcript as TranscriptModel
from app.store.base import (
    Backend,
    HitRow,
    PassageIndex,
    QueryTimeout,
    SegmentRow,
    SlugTaken,
    StoreError,
    TalkBuild,
    TalkRecord,
    TranscriptInfo,
    TranscriptRow,
    chunks,
)
from app.text.analysis import words
from app.text.phonetic import sound_keys

log = logging.getLogger(__name__)
TRANSCRIPT_FIELDS = (
    "id",
    "source_path",
    "own_slug",
    "talk_slug",
    "kind",
    "format",
    "language",
    "content_hash",
    "youtube_id",
    "media_url",
    "talk_key",
    "meta",
    "body",
)
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "migrations"

TERMS_SQL = "SELECT id, talk_id, word_start, terms FROM passages WHERE id IN ({marks})"
HIT_SQL = (
    "SELECT p.id, p.talk_id, p.word_start, p.first_segment, p.last_segment, "
    "t.slug, t.title, t.date, t.speakers, t.youtube_id, t.video_url, t.media_url "
    "FROM passages p JOIN talks t ON t.id = p.talk_id WHERE p.id IN ({marks})"
)
SEGMENTS_SQL = (
    'SELECT ? AS hit, ord, start, "end", speaker, text, word_offset, word_count, transcript_id, '
    "word_times FROM segments "
    "WHERE talk_id = ? AND ord BETWEEN ? AND ?"
)
PASSAGE_SEGMENTS_SQL = (
    "SELECT p.id, s.ord, s.start, s.\"end\", s.speaker, '', s.word_offset, s.word_count, "
    "s.transcript_id, s.word_times FROM passages p JOIN segments s "
    "ON s.talk_id = p.talk_id AND s.ord BETWEEN p.first_segment AND p.last_segment + 1 "
    "WHERE p.id IN ({marks}) ORDER BY p.id, s.ord"
)
# each passage's segment holding one word of it, and the start and transcript of the segment
# after: a moment's facts without every segment a passage spans (several; more for captions)
MOMENT_CHUNK = 250  # passages a statement (two parameters each)
MOMENT_SEGMENTS_SQL = (
    "WITH wanted(pid, word) AS (VALUES {pairs}) "
    "SELECT w.pid, s.ord, s.start, s.\"end\", s.speaker, '', s.word_offset, s.word_count, "
    "s.transcript_id, s.word_times, n.start, n.transcript_id "
    "FROM wanted w JOIN passages p ON p.id = w.pid JOIN segments s ON s.talk_id = p.talk_id "
    "AND s.ord BETWEEN p.first_segment AND p.last_segment "
    "AND s.word_offset <= w.word AND s.word_offset + s.word_count > w.word "
    "LEFT JOIN segments n ON n.talk_id = s.talk_id AND n.ord = s.ord + 1"
)
LEAD_TRANSCRIPTS_SQL = (
    "SELECT s.talk_id, t.id, t.kind, t.format, t.language FROM segments s "
    "JOIN transcripts t ON t.id = s.transcript_id WHERE s.ord = 0 AND s.talk_id IN ({marks})"
)
TRANSCRIPT_KINDS_SQL = "SELECT id, kind, format, language FROM transcripts WHERE id IN ({marks})"
SEGMENT_AT_SQL = (
    "SELECT ord, start, \"end\", speaker, '', word_offset, word_count, transcript_id, word_times "
    "FROM segments WHERE talk_id = ? AND transcript_id = ? AND start <= ? "
    "ORDER BY ord DESC LIMIT 1"
)
PASSAGES_HOLDING_SQL = (
    "SELECT id FROM passages WHERE talk_id = ? AND word_start <= ? AND word_end > ? "
    "ORDER BY word_start"
)
TRANSCRIPT_SOURCES_SQL = "SELECT source_path FROM transcripts ORDER BY source_path"
TRANSCRIPT_HASH_SQL = "SELECT content_hash FROM transcripts WHERE source_path = ?"
TRANSCRIPT_DIGESTS_SQL = "SELECT source_path, content_hash FROM transcripts"
TRANSCRIPT_PATHS_SQL = (
    "SELECT source_path FROM transcripts WHERE own_slug = ? OR talk_slug = ? ORDER BY source_path"
)
WORD_COUNT_SQL = "SELECT count FROM vocabulary WHERE word = ?"
PREFIX_SQL = "SELECT word FROM vocabulary WHERE word >= ? AND word < ? ORDER BY count DESC LIMIT ?"
VOCABULARY_SQL = "SELECT word, count, sounds FROM vocabulary"
# how many times a talk was written or forgotten (migrations/0012), read with each version: a
# talk written again may keep its id, and so its vectors' row (SQLite gives a new row a deleted
# highest id)
TALK_CHANGES = "coalesce((SELECT talk_changes FROM archive_changes), 0)"
TALK_CHANGED_SQL = "UPDATE archive_changes SET talk_changes = talk_changes + 1"
VERSION_SQL = (
    "SELECT count(*), coalesce(max(id), 0), coalesce(sum(word_count), 0), "
    f"{TALK_CHANGES} FROM talks"
)
TERM_PASSAGES_SQL = "SELECT passages FROM term_passages WHERE term = ?"
PASSAGE_COUNT_SQL = "SELECT coalesce(sum(passage_count), 0) FROM talks"
TALK_HASHES_SQL = "SELECT id, content_hash FROM talks"
TO_INDEX_SQL = (
    "SELECT p.id, p.talk_id, p.terms, p.speakers, t.slug, t.date "
    "FROM passages p JOIN talks t ON t.id = p.talk_id WHERE p.talk_id = ? ORDER BY p.id"
)
VECTOR_HASHES_SQL = "SELECT talk_id, content_hash, model FROM talk_vectors"
TALK_VECTORS_SQL = (
    "SELECT v.talk_id, v.passage_ids, v.vectors FROM talk_vectors v "
    "JOIN talks t ON t.id = v.talk_id AND t.content_hash = v.content_hash "
    "WHERE v.model = ? ORDER BY v.talk_id"
)
VECTORS_VERSION_SQL = f"SELECT count(*), coalesce(max(id), 0), {TALK_CHANGES} FROM talk_vectors"
PASSAGE_WINDOWS_SQL = (
    "SELECT id, word_start, word_end FROM passages WHERE talk_id = ? ORDER BY word_start, id"
)
SEGMENT_TEXTS_SQL = "SELECT text FROM segments WHERE talk_id = ? ORDER BY ord"
PASSAGE_SAID_AT_SQL = (
    "SELECT p.id FROM passages p JOIN talks t ON t.id = p.talk_id "
    "JOIN segments s ON s.talk_id = p.talk_id AND s.ord = p.first_segment "
    "WHERE t.slug = ? AND s.start <= ? ORDER BY s.start DESC, p.word_start DESC LIMIT 1"
)
FIRST_PASSAGE_SQL = (
    "SELECT p.id FROM passages p JOIN talks t ON t.id = p.talk_id WHERE t.slug = ? "
    "ORDER BY p.word_start LIMIT 1"
)
PUT_VECTORS_SQL = (
    "INSERT INTO talk_vectors(talk_id, content_hash, model, passage_ids, vectors) "
    "SELECT id, content_hash, ?, ?, ? FROM talks WHERE id = ? AND content_hash = ?"
)
DELETE_VECTORS_SQL = "DELETE FROM talk_vectors WHERE talk_id = ?"
CLEAR_VECTORS_SQL = "DELETE FROM talk_vectors"
VECTORS_OF_SQL = "SELECT 1 FROM talk_vectors WHERE talk_id = ?"
SEGMENT_COLUMNS = (
    "ord", "start", "end", "speaker", "text", "word_offset", "word_count", "transcript_id",
    "word_times",
)  # fmt: skip
INSERT_SEGMENTS_SQL = (
    'INSERT INTO segments (talk_id, ord, start, "end", speaker, text, word_offset, word_count, '
    "transcript_id, word_times) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
PASSAGE_COLUMNS = ("word_start", "word_end", "first_segment", "last_segment", "speakers", "terms")
INSERT_PASSAGES_SQL = (
    "INSERT INTO passages (id, talk_id, word_start, word_end, first_segment, last_segment, "
    "speakers, terms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
ADD_WORDS_SQL = (
    "INSERT INTO vocabulary(word, count, sounds) VALUES (?, ?, ?) "
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
        self._held = conn.info  # lives as long as the database connection, across snapshots
        self._deadline = deadline
        # one read transaction sees one archive: what a search reads twice is read once
        self._stored: dict[int, tuple[int, int, str]] = {}
        self._terms: dict[int, tuple[int, int, list[str]]] = {}
        self._term_passages: dict[str, int] = {}
        self._passage_count: int | None = None

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        if self._deadline is not None and time.perf_counter() > self._deadline:
            raise QueryTimeout()
        return self._store.run(self._driver, sql, params)

    def _read_passages(self, ids: list[int]) -> dict[int, tuple[int, int, str]]:
        known = self._stored
        for chunk in chunks([pid for pid in dict.fromkeys(ids) if pid not in known]):
            sql = TERMS_SQL.format(marks=",".join("?" * len(chunk)))
            for pid, talk_id, word_start, terms in self.rows(sql, chunk):
                known[pid] = (talk_id, word_start, terms)
        return known

    def stored_terms(self, ids: list[int]) -> dict[int, tuple[int, int, str]]:
        known = self._read_passages(ids)
        return {pid: known[pid] for pid in ids if pid in known}

    def passage_terms(self, ids: list[int]) -> dict[int, tuple[int, int, list[str]]]:
        stored, split = self._read_passages(ids), self._terms
        for pid in ids:
            if pid not in split and pid in stored:
                talk_id, word_start, terms = stored[pid]
                split[pid] = (talk_id, word_start, terms.split(" "))
        return {pid: split[pid] for pid in ids if pid in split}

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

    def moment_segments(
        self, words: list[tuple[int, int]]
    ) -> dict[int, tuple[SegmentRow, float | None, int | None]]:
        out: dict[int, tuple[SegmentRow, float | None, int | None]] = {}
        for chunk in chunks(words, MOMENT_CHUNK):
            sql = MOMENT_SEGMENTS_SQL.format(pairs=",".join(["(?, ?)"] * len(chunk)))
            params = [x for pair in chunk for x in pair]
            for pid, *fields, next_start, next_transcript in self.rows(sql, params):
                out[pid] = (SegmentRow(*fields), next_start, next_transcript)
        return out

    def word_count(self, word: str) -> int:
        found = self.rows(WORD_COUNT_SQL, (word,))
        return int(found[0][0]) if found else 0

    def prefix_words(self, prefix: str, limit: int) -> list[str]:
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        return [w for (w,) in self.rows(PREFIX_SQL, (prefix, upper, limit))]

    def vocabulary(self) -> list[tuple[str, int, str]]:
        return [(w, int(c), sounds) for w, c, sounds in self.rows(VOCABULARY_SQL)]

    def vocabulary_version(self) -> tuple[int, ...]:
        return tuple(int(x) for x in self._totals(VERSION_SQL))

    def _totals(self, sql: str) -> tuple[Any, ...]:
        """A one-row aggregate over the talks (a scan of every talk: 0.3-0.6 ms at 10,000),
        kept with its connection and read again only when the archive may have changed since."""
        mark = self._store.change_mark(self._driver)
        if mark is not None:
            held = self._held.get(sql)
            if held is not None and held[0] == mark:
                return held[1]
        found = self.rows(sql)[0]
        if mark is not None and self._store.change_mark(self._driver) == mark:
            self._held[sql] = (mark, found)
        return found

    def term_passages(self, term: str) -> int:
        if term not in self._term_passages:
            found = self.rows(TERM_PASSAGES_SQL, (term,))
            self._term_passages[term] = int(found[0][0]) if found else 0
        return self._term_passages[term]

    def passage_count(self) -> int:
        if self._passage_count is None:
            self._passage_count = int(self._totals(PASSAGE_COUNT_SQL)[0])
        return self._passage_count

    def talk_hashes(self) -> dict[int, str]:
        return {int(tid): h for tid, h in self.rows(TALK_HASHES_SQL)}

    def passages_to_index(self, talk_id: int) -> list[tuple[Any, ...]]:
        return self.rows(TO_INDEX_SQL, (talk_id,))

    def vector_hashes(self) -> dict[int, tuple[str, str]]:
        return {int(tid): (h, model) for tid, h, model in self.rows(VECTOR_HASHES_SQL)}

    def talk_vectors(self, model: str) -> list[tuple[int, bytes, bytes]]:
        return [
            (int(tid), bytes(ids), bytes(vectors))
            for tid, ids, vectors in self.rows(TALK_VECTORS_SQL, (model,))
        ]

    def vectors_version(self) -> tuple[int, ...]:
        return tuple(int(x) for x in self.rows(VECTORS_VERSION_SQL)[0])

    def passage_windows(self, talk_id: int) -> list[tuple[int, int, int]]:
        return [(int(a), int(b), int(c)) for a, b, c in self.rows(PASSAGE_WINDOWS_SQL, (talk_id,))]

    def segment_texts(self, talk_id: int) -> list[str]:
        return [text for (text,) in self.rows(SEGMENT_TEXTS_SQL, (talk_id,))]

    def passage_said_at(self, slug: str, second: float) -> int | None:
        found = self.rows(PASSAGE_SAID_AT_SQL, (slug, second)) or self.rows(
            FIRST_PASSAGE_SQL, (slug,)
        )
        return int(found[0][0]) if found else None

    def talks_matching(
        self,
        slug: str | None,
        slugs: Sequence[str] | None,
        date_from: str | None,
        date_to: str | None,
    ) -> set[int]:
        where, params = [], []
        if slug:
            where.append("slug = ?")
            params.append(slug)
        if slugs is not None:
            where.append(f"slug IN ({', '.join('?' * len(slugs)) or 'NULL'})")
            params.extend(slugs)
        if date_from:
            where.append("date >= ?")
            params.append(date_from)
        if date_to:
            where.append("date <= ?")
            params.append(date_to)
        sql = "SELECT id FROM talks" + (" WHERE " + " AND ".join(where) if where else "")
        return {int(tid) for (tid,) in self.rows(sql, params)}

    def transcript_hash(self, source_path: str) -> str | None:
        found = self.rows(TRANSCRIPT_HASH_SQL, (source_path,))
        return found[0][0] if found else None

    def transcript_digests(self) -> dict[str, str]:
        return {path: digest for path, digest in self.rows(TRANSCRIPT_DIGESTS_SQL)}

    def lead_transcripts(self, talk_ids: list[int]) -> dict[int, TranscriptInfo]:
        out: dict[int, TranscriptInfo] = {}
        for chunk in chunks(sorted(set(talk_ids))):
            sql = LEAD_TRANSCRIPTS_SQL.format(marks=",".join("?" * len(chunk)))
            for talk_id, *info in self.rows(sql, chunk):
                out[talk_id] = TranscriptInfo(*info)
        return out

    def transcript_kinds(self, ids: list[int]) -> dict[int, TranscriptInfo]:
        out: dict[int, TranscriptInfo] = {}
        for chunk in chunks(sorted(set(ids))):
            sql = TRANSCRIPT_KINDS_SQL.format(marks=",".join("?" * len(chunk)))
            out.update({row[0]: TranscriptInfo(*row) for row in self.rows(sql, chunk)})
        return out

    def segment_at(self, talk_id: int, transcript_id: int, second: float) -> SegmentRow | None:
        found = self.rows(SEGMENT_AT_SQL, (talk_id, transcript_id, second))
        return SegmentRow(*found[0]) if found else None

    def passages_holding(self, talk_id: int, word: int) -> list[int]:
        return [pid for (pid,) in self.rows(PASSAGES_HOLDING_SQL, (talk_id, word, word))]

    def transcript_sources(self) -> list[str]:
        return [p for (p,) in self.rows(TRANSCRIPT_SOURCES_SQL)]

    def transcript_paths(self, own_slug: str) -> list[str]:
        return [p for (p,) in self.rows(TRANSCRIPT_PATHS_SQL, (own_slug, own_slug))]


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

    def put_vectors(
        self, talk_id: int, content_hash: str, model: str, passage_ids: bytes, vectors: bytes
    ) -> bool:
        """Store a talk's vectors, unless the talk changed since they were computed."""
        self.execute(DELETE_VECTORS_SQL, (talk_id,))
        self.execute(PUT_VECTORS_SQL, (model, passage_ids, vectors, talk_id, content_hash))
        return bool(self.rows(VECTORS_OF_SQL, (talk_id,)))

    def clear_vectors(self) -> None:
        self.execute(CLEAR_VECTORS_SQL)

    def replace_talk(self, record: TalkRecord, index: PassageIndex) -> str:
        conn = self.conn
        old = conn.execute(
            select(Talk.id, Talk.content_hash).where(Talk.slug == record.slug)
        ).first()
        if old is not None and old[1] == record.content_hash:
            return "unchanged"  # another ingest stored the same content meanwhile
        if old is not None:
            self._forget_talk(old[0], index)
        self._insert_talk(record, index)
        return "new" if old is None else "updated"

    def _insert_talk(self, record: TalkRecord, index: PassageIndex) -> None:
        conn = self.conn
        self.execute(TALK_CHANGED_SQL)
        talk_id = conn.execute(
            insert(Talk).values(
                slug=record.slug,
                content_hash=record.content_hash,
                passage_count=len(record.passages),
                **record.columns,
            )
        ).inserted_primary_key[0]
        self.execute_many(
            INSERT_SEGMENTS_SQL,
            [(talk_id, *(s[c] for c in SEGMENT_COLUMNS)) for s in record.segments],
        )
        if record.chapters:
            conn.execute(insert(Chapter), [{**c, "talk_id": talk_id} for c in record.chapters])
        if record.passages:
            ids = self._store.insert_passages(self.conn, talk_id, record.passages)
            index.add_passages(
                self, [(pid, p["terms"]) for pid, p in zip(ids, record.passages, strict=True)]
            )
        self._store.add_words(self._driver, sorted(record.words.items()))
        terms = passage_terms(p["terms"] for p in record.passages)
        self._store.count(self._driver, "add_terms", sorted(terms.items()))

    def store_transcript(
        self,
        row: TranscriptRow,
        index: PassageIndex,
        build: Callable[[list[TranscriptRow]], TalkBuild],
        replaces: Sequence[str] = (),
        may_lead: Callable[[TranscriptRow, list[TranscriptRow]], bool] | None = None,
    ) -> str:
        conn = self.conn
        found = self._transcript_rows(TranscriptModel.source_path == row.source_path)
        previous = found[0] if found else None
        if previous is not None and previous.content_hash == row.content_hash:
            return "unchanged"  # another ingest stored the same file meanwhile
        moved = conn.execute(
            select(TranscriptModel.talk_slug).where(TranscriptModel.source_path.in_(replaces))
        ).scalars()
        moved_from = set(moved)
        if replaces:
            conn.execute(delete(TranscriptModel).where(TranscriptModel.source_path.in_(replaces)))
        joined = self._talks_joined_by(row)
        if previous is not None:
            conn.execute(delete(TranscriptModel).where(TranscriptModel.id == previous.id))
        members = self._transcripts_of(joined) if joined else []
        members = [m for m in members if m.source_path != row.source_path]
        if previous is not None and previous.meta.get("follows"):
            row.meta["follows"] = True  # decided when it joined: kept while it stays
        elif members and (previous is None or previous.talk_slug not in joined):
            if may_lead is not None and not may_lead(row, members):
                row.meta["follows"] = True
        row.talk_slug = sorted(joined)[0] if joined else row.own_slug
        values = {k: v for k, v in vars(row).items() if k != "id"}
        row.id = conn.execute(insert(TranscriptModel).values(**values)).inserted_primary_key[0]
        members = members + [row]
        talk = build(members)
        slug = talk.record.slug
        owner = conn.execute(
            select(TranscriptModel.source_path).where(
                TranscriptModel.talk_slug == slug,
                TranscriptModel.source_path.not_in([m.source_path for m in members]),
            )
        ).first()
        if owner is not None:
            raise SlugTaken(
                f"the slug {slug!r} is already taken by {owner[0]}: give this file a "
                "`slug:` (or a `talk:` key to join that talk) in a sidecar, or ingest it with "
                "--replace to replace that talk"
            )
        old_slugs = set(joined) | moved_from
        if previous is not None:
            old_slugs.add(previous.talk_slug)
        forgotten = [self._forget_slug(old, index) for old in sorted(old_slugs | {slug})]
        existed = bool(old_slugs) and any(forgotten)
        conn.execute(
            TranscriptModel.__table__.update()
            .where(TranscriptModel.source_path.in_([m.source_path for m in members]))
            .values(talk_slug=slug)
        )
        self._insert_talk(talk.record, index)
        aliases = (set(talk.aliases) | old_slugs) - {slug}
        conn.execute(delete(TalkAlias).where(TalkAlias.slug == slug))
        conn.execute(
            TalkAlias.__table__.update()
            .where(TalkAlias.talk_slug.in_(old_slugs | set(talk.aliases)))
            .values(talk_slug=slug)
        )
        for alias in sorted(aliases):
            conn.execute(delete(TalkAlias).where(TalkAlias.slug == alias))
            conn.execute(insert(TalkAlias).values(slug=alias, talk_slug=slug))
        if previous is not None and previous.talk_slug not in joined | {slug}:
            self._rebuild(previous.talk_slug, index, build)  # the file left that talk
        for left in sorted(moved_from - joined - {slug}):
            self._rebuild(left, index, build)
        row.talk_slug = slug
        return "updated" if existed or previous is not None else "new"

    def put_transcripts(
        self, rows: list[TranscriptRow], aliases: list[tuple[str, str]]
    ) -> dict[int, int]:
        """Transcript rows and aliases as another archive holds them (for `talks copy`);
        returns each row's id here by its id there."""
        ids: dict[int, int] = {}
        for row in rows:
            self.conn.execute(
                delete(TranscriptModel).where(TranscriptModel.source_path == row.source_path)
            )
            values = {k: v for k, v in vars(row).items() if k != "id"}
            new_id = self.conn.execute(
                insert(TranscriptModel).values(**values)
            ).inserted_primary_key
            if row.id is not None:
                ids[row.id] = new_id[0]
        for slug, talk_slug in aliases:
            self.conn.execute(delete(TalkAlias).where(TalkAlias.slug == slug))
            self.conn.execute(insert(TalkAlias).values(slug=slug, talk_slug=talk_slug))
        return ids

    def _talks_joined_by(self, row: TranscriptRow) -> set[str]:
        """Slugs of the talks whose transcripts share this one's YouTube id, media URL or key."""
        same = []
        if row.youtube_id:
            same.append(TranscriptModel.youtube_id == row.youtube_id)
        if row.media_url:
            same.append(TranscriptModel.media_url == row.media_url)
        if row.talk_key:
            same.append(TranscriptModel.talk_key == row.talk_key)
        if not same:
            return set()
        found = self.conn.execute(
            select(TranscriptModel.talk_slug).where(or_(*same)).distinct()
        ).scalars()
        return set(found)

    def _transcripts_of(self, slugs: Iterable[str]) -> list[TranscriptRow]:
        return self._transcript_rows(TranscriptModel.talk_slug.in_(sorted(slugs)))

    def _transcript_rows(self, where: Any) -> list[TranscriptRow]:
        table = TranscriptModel.__table__
        found = self.conn.execute(
            select(*(table.c[f] for f in TRANSCRIPT_FIELDS)).where(where).order_by(table.c.id)
        ).mappings()
        return [TranscriptRow(**m) for m in found]

    def remove_transcript(
        self,
        source_path: str,
        index: PassageIndex,
        build: Callable[[list[TranscriptRow]], TalkBuild],
    ) -> bool:
        conn = self.conn
        found = self._transcript_rows(TranscriptModel.source_path == source_path)
        if not found:
            return False
        gone = found[0]
        conn.execute(delete(TranscriptModel).where(TranscriptModel.id == gone.id))
        self._forget_slug(gone.talk_slug, index)
        conn.execute(delete(TalkAlias).where(TalkAlias.slug == gone.own_slug))
        members = self._transcripts_of([gone.talk_slug])
        if not members:
            conn.execute(delete(TalkAlias).where(TalkAlias.talk_slug == gone.talk_slug))
            return True
        talk = build(members)
        slug = talk.record.slug
        conn.execute(
            TranscriptModel.__table__.update()
            .where(TranscriptModel.talk_slug == gone.talk_slug)
            .values(talk_slug=slug)
        )
        self._insert_talk(talk.record, index)
        if slug != gone.talk_slug:  # the leading transcript went: its slug leads to the talk
            conn.execute(
                TalkAlias.__table__.update()
                .where(TalkAlias.talk_slug == gone.talk_slug)
                .values(talk_slug=slug)
            )
            conn.execute(delete(TalkAlias).where(TalkAlias.slug.in_([slug, gone.talk_slug])))
            conn.execute(insert(TalkAlias).values(slug=gone.talk_slug, talk_slug=slug))
        return True

    def _rebuild(
        self, slug: str, index: PassageIndex, build: Callable[[list[TranscriptRow]], TalkBuild]
    ) -> None:
        """A talk from the transcripts it has left (gone when it has none)."""
        self._forget_slug(slug, index)
        members = self._transcripts_of([slug])
        if members:
            self._insert_talk(build(members).record, index)

    def _forget_slug(self, slug: str, index: PassageIndex) -> bool:
        """Forget the talk with this slug, if there is one; says whether there was."""
        found = self.conn.execute(select(Talk.id).where(Talk.slug == slug)).first()
        if found is not None:
            self._forget_talk(found[0], index)
        return found is not None

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
        self.execute(TALK_CHANGED_SQL)


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

    def change_mark(self, driver: Any) -> object | None:
        """A value the connection reads again unchanged only if the archive has not changed in
        between; None when the backend has none."""
        return None

    def run_many(self, driver: Any, sql: str, rows: Sequence[Sequence[object]]) -> None:
        driver.executemany(self._native(sql), rows)

    def insert_passages(
        self, conn: Connection, talk_id: int, passages: list[dict[str, Any]]
    ) -> list[int]:
        """Stores a talk's passages; returns their ids in the same order."""
        rows = [{**p, "talk_id": talk_id} for p in passages]
        return list(
            conn.execute(
                insert(Passage).returning(Passage.id, sort_by_parameter_order=True), rows
            ).scalars()
        )

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
