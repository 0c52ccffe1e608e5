"""One read transaction of the archive: every search and page reads through it, each statement
under the snapshot's deadline."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from app.store.base import (
    HitRow,
    QueryTimeout,
    SegmentRow,
    TranscriptInfo,
    chunks,
)
from app.store.statements import (
    FIRST_PASSAGE_SQL,
    FIT_SQL,
    FITTED_MODEL_SQL,
    HIT_SQL,
    LEAD_TRANSCRIPTS_SQL,
    MOMENT_CHUNK,
    MOMENT_SEGMENTS_SQL,
    PASSAGE_COUNT_SQL,
    PASSAGE_SAID_AT_SQL,
    PASSAGE_SEGMENTS_SQL,
    PASSAGE_WINDOWS_SQL,
    PASSAGES_HOLDING_SQL,
    PREFIX_SQL,
    SEGMENT_AT_SQL,
    SEGMENT_TEXTS_SQL,
    SEGMENTS_SQL,
    TALK_HASHES_SQL,
    TALK_VECTORS_SQL,
    TALKS_VECTORS_SQL,
    TERM_PASSAGES_SQL,
    TERMS_PASSAGES_SQL,
    TERMS_SQL,
    TO_INDEX_SQL,
    TRANSCRIPT_DIGESTS_SQL,
    TRANSCRIPT_HASH_SQL,
    TRANSCRIPT_KINDS_SQL,
    TRANSCRIPT_PATHS_SQL,
    TRANSCRIPT_SOURCES_SQL,
    VECTOR_HASHES_SQL,
    VECTORS_VERSION_SQL,
    VERSION_SQL,
    VOCABULARY_SQL,
    WORD_COUNT_SQL,
)

if TYPE_CHECKING:
    from app.store.sql import SqlStore

# the passages holding each term, kept across snapshots at one change mark (a dictionary of
# the terms searched for, emptied when it outgrows MAX_TERMS_KEPT)
TERM_PASSAGES_KEPT = "term passages"
MAX_TERMS_KEPT = 100_000


class SqlSnapshot:
    """One read transaction; `rows` is the one place its statements run."""

    def __init__(
        self, store: SqlStore, conn: Connection, deadline: float | None, mark: object | None = None
    ) -> None:
        """`mark`: the archive's change mark this transaction sees, when the backend read one
        as it began; what it names is read once for every snapshot at that mark."""
        self._store = store
        self._driver = conn.connection.driver_connection
        self._mark = mark
        # lives as long as the database connection, across snapshots; or, with a mark, as long
        # as the archive stays at that mark
        self._held = conn.info if mark is None else store.held_at(mark)
        self._deadline = deadline
        # one read transaction sees one archive: what a search reads twice is read once
        self._stored: dict[int, tuple[int, int, str]] = {}
        self._terms: dict[int, tuple[int, int, list[str]]] = {}
        self._term_passages: dict[str, int] = {}
        if mark is not None:
            kept = self._held.get(TERM_PASSAGES_KEPT)
            if kept is None or len(kept) > MAX_TERMS_KEPT:
                kept = self._held[TERM_PASSAGES_KEPT] = {}
            self._term_passages = kept
        self._passage_count: int | None = None
        # each talk's leading transcript, read with the moments' facts
        self._leads: dict[int, TranscriptInfo] = {}

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        return self._run(sql, params, prepare=True)

    def planned_rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        return self._run(sql, params, prepare=False)

    def _run(self, sql: str, params: Sequence[object], prepare: bool) -> list[tuple[Any, ...]]:
        if self._deadline is not None and time.perf_counter() > self._deadline:
            raise QueryTimeout()
        return self._store.run(self._driver, sql, params, prepare=prepare)

    def _read_passages(self, ids: list[int]) -> dict[int, tuple[int, int, str]]:
        known = self._stored
        for chunk in chunks([pid for pid in dict.fromkeys(ids) if pid not in known]):
            marks, params = self._store.listed(chunk)
            for pid, talk_id, word_start, terms in self.rows(TERMS_SQL.format(marks=marks), params):
                known[pid] = (talk_id, word_start, terms)
        return known

    def keep_stored(self, rows: Sequence[tuple[int, int, int, str]]) -> None:
        for pid, talk_id, word_start, terms in rows:
            self._stored.setdefault(pid, (talk_id, word_start, terms))

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
            marks, params = self._store.listed(chunk)
            out.update(
                {row[0]: HitRow(*row) for row in self.rows(HIT_SQL.format(marks=marks), params)}
            )
        return out

    def hit_segments(self, hits: list[HitRow]) -> list[list[SegmentRow]]:
        """In one statement for every hit."""
        out: list[list[SegmentRow]] = [[] for _ in hits]
        if not hits:
            return out
        table, params = self._store.table(
            [(k, h.talk_id, h.first_segment, h.last_segment + 1) for k, h in enumerate(hits)], 4
        )
        for hit, *fields in self.rows(SEGMENTS_SQL.format(table=table), params):
            out[hit].append(SegmentRow(*fields))
        return out

    def passage_segments(self, ids: list[int]) -> dict[int, list[SegmentRow]]:
        out: dict[int, list[SegmentRow]] = {}
        for chunk in chunks(ids):
            marks, params = self._store.listed(chunk)
            for pid, *fields in self.rows(PASSAGE_SEGMENTS_SQL.format(marks=marks), params):
                out.setdefault(pid, []).append(SegmentRow(*fields))
        return out

    def moment_segments(
        self, words: list[tuple[int, int]]
    ) -> dict[int, tuple[SegmentRow, float | None, int | None]]:
        out: dict[int, tuple[SegmentRow, float | None, int | None]] = {}
        for chunk in chunks(words, MOMENT_CHUNK):
            table, params = self._store.table(chunk, 2)
            sql = MOMENT_SEGMENTS_SQL.format(table=table)
            for row in self.rows(sql, params):
                pid, fields, (next_start, next_transcript) = row[0], row[1:10], row[10:12]
                out[pid] = (SegmentRow(*fields), next_start, next_transcript)
                talk_id, lead_id, *lead = row[12:]
                if lead_id is not None:
                    self._leads[talk_id] = TranscriptInfo(lead_id, *lead)
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
        if self._mark is not None:  # the transaction's own mark: its reads are of that archive
            kept = self._held.get(sql)
            if kept is None:
                kept = self._held[sql] = (self._mark, self.rows(sql)[0])
            return kept[1]
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
        count = self._term_passages.get(term)
        if count is None:
            found = self.rows(TERM_PASSAGES_SQL, (term,))
            count = self._term_passages[term] = int(found[0][0]) if found else 0
        return count

    def read_term_passages(self, terms: list[str]) -> None:
        known = self._term_passages
        for chunk in chunks([t for t in dict.fromkeys(terms) if t not in known]):
            marks, params = self._store.listed(chunk, "text")
            found = dict(self.rows(TERMS_PASSAGES_SQL.format(marks=marks), params))
            for term in chunk:
                known[term] = int(found.get(term, 0))

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

    def talk_vectors(
        self, model: str, talks: Sequence[int] | None = None
    ) -> list[tuple[int, bytes, bytes]]:
        if talks is None:
            found = self.rows(TALK_VECTORS_SQL, (model,))
        else:
            found = []
            for chunk in chunks(sorted(talks)):
                marks, params = self._store.listed(chunk)
                found += self.rows(TALKS_VECTORS_SQL.format(marks=marks), [model, *params])
        return [(int(tid), bytes(ids), bytes(vectors)) for tid, ids, vectors in found]

    def vectors_version(self) -> tuple[int, ...]:
        return tuple(int(x) for x in self.rows(VECTORS_VERSION_SQL)[0])

    def meaning_fit(self, base_model: str) -> tuple[str, bytes, int, int] | None:
        found = self.rows(FIT_SQL, (base_model,))
        if not found:
            return None
        model, tokens, sample, archive = found[0]
        return str(model), bytes(tokens), int(sample), int(archive)

    def fitted_model(self, base_model: str) -> str | None:
        found = self.rows(FITTED_MODEL_SQL, (base_model,))
        return str(found[0][0]) if found else None

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
        known = self._leads
        for chunk in chunks(sorted({t for t in talk_ids if t not in known})):
            marks, params = self._store.listed(chunk)
            for talk_id, *info in self.rows(LEAD_TRANSCRIPTS_SQL.format(marks=marks), params):
                known[talk_id] = TranscriptInfo(*info)
        return {t: known[t] for t in talk_ids if t in known}

    def transcript_kinds(self, ids: list[int]) -> dict[int, TranscriptInfo]:
        out: dict[int, TranscriptInfo] = {}
        for chunk in chunks(sorted(set(ids))):
            marks, params = self._store.listed(chunk)
            sql = TRANSCRIPT_KINDS_SQL.format(marks=marks)
            out.update({row[0]: TranscriptInfo(*row) for row in self.rows(sql, params)})
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
