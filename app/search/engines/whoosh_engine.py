"""Whoosh engine (pure Python, named in the design brief): the passage index in a folder beside the
SQLite file, kept in step with the database by app.search.engines.derived. All Whoosh query
building lives here."""

import threading
import time
from collections.abc import Sequence
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.analysis import LowercaseFilter, RegexTokenizer, SpaceSeparatedTokenizer
from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema

from app.search.engines.derived import DerivedIndex, date_number
from app.search.language.plan import AllOf, AnyOf, Filters, Match, MatchPlan, Phrase, Terms
from app.store import Snapshot

REFRESH_SECONDS = 1.0


def _schema() -> Schema:
    return Schema(
        id=STORED(),
        talk_id=ID(),
        date=NUMERIC(bits=32),  # YYYYMMDD, 0: none
        slug=ID(),
        speakers=TEXT(analyzer=RegexTokenizer() | LowercaseFilter()),
        # the terms are already analysed by app.text.analysis: split on spaces only
        terms=TEXT(analyzer=SpaceSeparatedTokenizer(), phrase=True),
    )


NO_TALK = "\0"  # a slug no talk has: an empty list of talks matches nothing


class WhooshEngine(DerivedIndex):
    name = "whoosh"
    cheap_phrases = False

    def _open(self) -> None:
        folder = str(self.folder)
        if whoosh_index.exists_in(folder):
            self.index = whoosh_index.open_dir(folder)
        else:
            self.index = whoosh_index.create_in(folder, _schema())
        self._searcher = self.index.searcher()
        self._refreshed = time.monotonic()
        self._lock = threading.Lock()

    def _writer(self) -> Any:
        return self.index.writer(limitmb=256)

    def _delete_talk(self, writer: Any, talk_id: int) -> None:
        writer.delete_by_term("talk_id", str(talk_id))

    def _add(self, writer: Any, row: Sequence[Any]) -> None:
        pid, talk_id, terms, speakers, slug, date = row
        writer.add_document(
            id=int(pid),
            talk_id=str(talk_id),
            date=date_number(date),
            slug=slug,
            speakers=speakers or "",
            terms=terms,
        )

    def _commit(self, writer: Any) -> None:
        writer.commit()
        self._reopen()

    def _reopen(self) -> None:
        # a fresh searcher, not Searcher.refresh(): that fails on an empty index in whoosh 2.7.5
        with self._lock:
            old, self._searcher = self._searcher, self.index.searcher()
            old.close()

    # -- reading ------------------------------------------------------------------------------

    def _current(self) -> Any:
        now = time.monotonic()
        if now - self._refreshed > REFRESH_SECONDS:  # see commits made by other processes
            self._refreshed = now
            if not self._searcher.up_to_date():
                self._reopen()
        return self._searcher

    def _match(self, match: Match, slop: int = 1) -> wq.Query:
        if isinstance(match, Terms):
            terms = [wq.Term("terms", t) for t in match.alternatives]
            return terms[0] if len(terms) == 1 else wq.Or(terms)
        if isinstance(match, Phrase):
            if all(len(p.alternatives) == 1 for p in match.parts) and len(match.parts) > 1:
                words = [p.alternatives[0] for p in match.parts]
                return wq.Phrase("terms", words, slop=slop)
            return wq.And([self._match(p) for p in match.parts])
        if isinstance(match, AllOf):
            return wq.And([self._match(i) for i in match.items])
        assert isinstance(match, AnyOf)
        return wq.Or([self._match(o) for o in match.options])

    def _filters(self, filters: Filters) -> list[wq.Query]:
        clauses: list[wq.Query] = []
        if filters.talk:
            clauses.append(wq.Term("slug", filters.talk))
        if filters.talks is not None:
            clauses.append(wq.Or([wq.Term("slug", slug) for slug in filters.talks or (NO_TALK,)]))
        if filters.date_from or filters.date_to:
            clauses.append(
                wq.NumericRange(
                    "date",
                    date_number(filters.date_from) if filters.date_from else None,
                    date_number(filters.date_to) if filters.date_to else None,
                )
            )
        for name in filters.speakers:
            clauses.extend(wq.Term("speakers", word) for word in name.lower().split())
        return clauses

    def build_query(self, plan: MatchPlan) -> wq.Query:
        if plan.near is not None and all(isinstance(m, Terms) for m in plan.must):
            near = Phrase(tuple(plan.must))  # type: ignore[arg-type]
            required = [self._match(near, slop=plan.near)]
        else:
            required = [self._match(m) for m in plan.must]
        query: wq.Query = wq.And(required + self._filters(plan.filters))
        if plan.must_not:
            query = wq.AndNot(query, wq.Or([self._match(m) for m in plan.must_not]))
        return query

    def search(
        self, snapshot: Snapshot, plan: MatchPlan, limit: int, best_of: int | None = None
    ) -> list[tuple[int, float]]:
        searcher = self._current()
        with self._lock:
            results = searcher.search(self.build_query(plan), limit=limit)
            return [(int(hit["id"]), float(hit.score)) for hit in results]

    def read_terms(self, snapshot: Snapshot, terms: list[str]) -> None:
        pass  # the index holds every term's count

    def term_passages(self, snapshot: Snapshot, term: str) -> int:
        return int(self._current().doc_frequency("terms", term))

    def count_passages(self, snapshot: Snapshot) -> int:
        return int(self._current().doc_count())
