"""tantivy engine: the passage index in a tantivy folder beside the SQLite file. All tantivy
query building lives here.

The index is derived data. The loader writes SQLite only; `sync` then brings the index in step
with the talks table (adds talks it lacks or holds in an older version, deletes talks gone),
driven by a state file of talk id -> content hash written after each index commit. A crash
between the database commit and the index commit is therefore repaired by the next sync
(`talks ingest`, `talks serve` start-up, `talks reindex`).
"""

import json
import logging
import os
import shutil
import threading
import time
from pathlib import Path

import tantivy
from sqlalchemy import Connection

from app.search.plan import AllOf, Either, Filters, Match, MatchPlan, Terms
from app.search.plan import Sequence as Phrase

log = logging.getLogger(__name__)

STATE_FILE = "talks-state.json"
WRITER_HEAP = 128 * 1024 * 1024
RELOAD_SECONDS = 1.0
TALKS_SQL = "SELECT id, content_hash FROM talks"
PASSAGES_SQL = (
    "SELECT p.id, p.talk_id, p.terms, p.speakers, t.slug, t.date "
    "FROM passages p JOIN talks t ON t.id = p.talk_id WHERE p.talk_id = ?"
)
Occur = tantivy.Occur


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    # signed: Python ints are i64 terms, so deleting by talk_id matches (u64 fields would not)
    builder.add_integer_field("id", stored=False, indexed=True, fast=True)
    builder.add_integer_field("talk_id", stored=False, indexed=True, fast=True)
    builder.add_integer_field("date", stored=False, indexed=True, fast=True)  # YYYYMMDD, 0: none
    builder.add_text_field("slug", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("speakers", tokenizer_name="default", index_option="basic")
    builder.add_text_field("terms", tokenizer_name="whitespace", index_option="position")
    return builder.build()


def _date_number(value: object) -> int:
    text = str(value or "")
    return int(text[:10].replace("-", "")) if len(text) >= 10 and text[:4].isdigit() else 0


class TantivyEngine:
    name = "tantivy"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.schema = _schema()
        folder.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, path=str(folder), reuse=True)
        self._reloaded = 0.0
        self._lock = threading.Lock()

    # -- writing: SQLite is the source; sync derives the index from it -------------------------

    def add_passages(self, conn: Connection, rows: object) -> None:
        """Nothing inside the database transaction: `sync` reads the committed passages."""

    def remove_talk(self, conn: Connection, talk_id: int) -> None:
        """Nothing inside the database transaction: `sync` drops talks that are gone."""

    def _state(self) -> dict[str, str]:
        try:
            return json.loads((self.folder / STATE_FILE).read_text())
        except (OSError, ValueError):
            return {}

    def _write_state(self, state: dict[str, str]) -> None:
        tmp = self.folder / (STATE_FILE + ".tmp")
        tmp.write_text(json.dumps(state))
        os.replace(tmp, self.folder / STATE_FILE)

    def sync(self, conn: Connection) -> int:
        """Bring the index in step with the database; returns how many talks it rewrote."""
        wanted = {str(tid): h for tid, h in conn.exec_driver_sql(TALKS_SQL)}
        state = self._state()
        stale = [tid for tid, h in state.items() if wanted.get(tid) != h]
        missing = [tid for tid, h in wanted.items() if state.get(tid) != h]
        if not stale and not missing:
            return 0
        writer = self.index.writer(WRITER_HEAP)
        for tid in set(stale) | set(missing):
            writer.delete_documents_by_term("talk_id", int(tid))
            state.pop(tid, None)
        for tid in missing:
            for pid, talk_id, terms, speakers, slug, date in conn.exec_driver_sql(
                PASSAGES_SQL, (int(tid),)
            ):
                doc = tantivy.Document()
                doc.add_integer("id", int(pid))
                doc.add_integer("talk_id", int(talk_id))
                doc.add_integer("date", _date_number(date))
                doc.add_text("slug", slug)
                doc.add_text("speakers", speakers or "")
                doc.add_text("terms", terms)
                writer.add_document(doc)
            state[tid] = wanted[tid]
        writer.commit()
        writer.wait_merging_threads()
        self._write_state(state)
        self.index.reload()
        log.info("tantivy index: %d talks rewritten", len(set(stale) | set(missing)))
        return len(set(stale) | set(missing))

    def rebuild(self, conn: Connection) -> int:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.__init__(self.folder)  # type: ignore[misc]
        return self.sync(conn)

    # -- reading ------------------------------------------------------------------------------

    def _searcher(self) -> tantivy.Searcher:
        now = time.monotonic()
        if now - self._reloaded > RELOAD_SECONDS:  # see commits made by other processes
            with self._lock:
                self.index.reload()
                self._reloaded = now
        return self.index.searcher()

    def _terms(self, terms: Terms) -> tantivy.Query:
        queries = [Query.term_query(self.schema, "terms", t) for t in terms.alternatives]
        if len(queries) == 1:
            return queries[0]
        return Query.boolean_query([(Occur.Should, q) for q in queries])

    def _match(self, match: Match, slop: int = 0) -> tantivy.Query:
        if isinstance(match, Terms):
            return self._terms(match)
        if isinstance(match, Phrase):
            if all(len(p.alternatives) == 1 for p in match.parts) and len(match.parts) > 1:
                words = [p.alternatives[0] for p in match.parts]
                return Query.phrase_query(self.schema, "terms", words, slop)
            return Query.boolean_query([(Occur.Must, self._match(p)) for p in match.parts])
        if isinstance(match, AllOf):
            return Query.boolean_query([(Occur.Must, self._match(i)) for i in match.items])
        assert isinstance(match, Either)
        return Query.boolean_query([(Occur.Should, self._match(o)) for o in match.options])

    def _filters(self, filters: Filters) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        clauses = []
        if filters.talk:
            clauses.append((Occur.Must, Query.term_query(self.schema, "slug", filters.talk)))
        if filters.date_from or filters.date_to:
            clauses.append(
                (
                    Occur.Must,
                    Query.range_query(
                        self.schema,
                        "date",
                        tantivy.FieldType.Integer,
                        _date_number(filters.date_from) if filters.date_from else None,
                        _date_number(filters.date_to) if filters.date_to else None,
                    ),
                )
            )
        for name in filters.speakers:
            for word in name.lower().split():
                clauses.append((Occur.Must, Query.term_query(self.schema, "speakers", word)))
        return clauses

    def build_query(self, plan: MatchPlan) -> tantivy.Query:
        if plan.near is not None and all(isinstance(m, Terms) for m in plan.must):
            near = Phrase(tuple(plan.must))  # type: ignore[arg-type]
            clauses = [(Occur.Must, self._match(near, slop=plan.near))]
        else:
            clauses = [(Occur.Must, self._match(m)) for m in plan.must]
        clauses += [(Occur.MustNot, self._match(m)) for m in plan.must_not]
        clauses += self._filters(plan.filters)
        return Query.boolean_query(clauses)

    def search(self, conn: Connection, plan: MatchPlan, limit: int) -> list[tuple[int, float]]:
        searcher = self._searcher()
        result = searcher.search(self.build_query(plan), limit, count=False)
        if not result.hits:
            return []
        addresses = [address for _, address in result.hits]
        ids = searcher.fast_field_values("id", addresses)
        return [(int(pid), float(score)) for (score, _), pid in zip(result.hits, ids, strict=True)]

    def term_passages(self, conn: Connection, term: str) -> int:
        return int(self._searcher().doc_freq("terms", term))

    def count_passages(self, conn: Connection) -> int:
        return int(self._searcher().num_docs)


Query = tantivy.Query
