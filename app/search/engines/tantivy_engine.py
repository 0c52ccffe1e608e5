"""tantivy engine: the passage index in a tantivy folder beside the SQLite file, kept in step
with the database by app.search.engines.derived. All tantivy query building lives here."""

import logging
import shutil
import threading
import time
from collections.abc import Sequence
from typing import Any

import tantivy

from app.search.engines.derived import DerivedIndex, date_number
from app.search.language.plan import AllOf, AnyOf, Filters, Match, MatchPlan, Phrase, Terms
from app.store import Snapshot, StoreError
from app.text.pairs import pair_token, pairs_text

log = logging.getLogger(__name__)

WRITER_HEAP = 128 * 1024 * 1024
RELOAD_SECONDS = 1.0
TIE_FETCH = 8  # most matches fetched, as a multiple of those asked for, to see a tie whole
Occur = tantivy.Occur
Query = tantivy.Query


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    # signed: Python ints are i64 terms, so deleting by talk_id matches (u64 fields would not)
    builder.add_integer_field("id", stored=False, indexed=True, fast=True)
    builder.add_integer_field("talk_id", stored=False, indexed=True, fast=True)
    builder.add_integer_field("date", stored=False, indexed=True, fast=True)  # YYYYMMDD, 0: none
    builder.add_text_field("slug", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("speakers", tokenizer_name="default", index_option="basic")
    builder.add_text_field("terms", tokenizer_name="whitespace", index_option="position")
    # adjacent term pairs, counted but without positions: they lead a phrase's search, which
    # for common words would otherwise read the positions of every passage holding them all
    builder.add_text_field("pairs", tokenizer_name="whitespace", index_option="freq")
    return builder.build()


NO_TALK = "\0"  # a slug no talk has: an empty list of talks matches nothing


class TantivyEngine(DerivedIndex):
    name = "tantivy"
    # through the pairs field: a phrase of common words 1-4 ms at 10,000 hours (25-28 ms as
    # a phrase query alone), two stop words ("the data") 26 ms against 21 for their AND
    cheap_phrases = True

    def _open(self) -> None:
        self.schema = _schema()
        try:
            self.index = tantivy.Index(self.schema, path=str(self.folder), reuse=True)
        except ValueError as exc:
            if "schema does not match" not in str(exc):
                raise
            # an index an older version wrote (no pairs field): derived data, made again whole
            # by the next sync (its state file goes with it)
            try:
                shutil.rmtree(self.folder)
                self.folder.mkdir(parents=True)
            except OSError as error:
                raise StoreError(
                    f"the tantivy index in {self.folder} predates this version and cannot be "
                    f"made again there ({error.strerror or error})"
                ) from exc
            self.index = tantivy.Index(self.schema, path=str(self.folder), reuse=True)
            log.warning("the tantivy index in %s predated this version: made again", self.folder)
        self._reloaded = 0.0
        self._lock = threading.Lock()

    def _writer(self) -> Any:
        writer = self.index.writer(WRITER_HEAP)
        # a writer killed mid-commit leaves files no commit refers to; the next writer can
        # name a file the same way (FileAlreadyExists on commit): remove them first
        writer.garbage_collect_files()
        return writer

    def _delete_talk(self, writer: Any, talk_id: int) -> None:
        writer.delete_documents_by_term("talk_id", talk_id)

    def _add(self, writer: Any, row: Sequence[Any]) -> None:
        pid, talk_id, terms, speakers, slug, date = row
        doc = tantivy.Document()
        doc.add_integer("id", int(pid))
        doc.add_integer("talk_id", int(talk_id))
        doc.add_integer("date", date_number(date))
        doc.add_text("slug", slug)
        doc.add_text("speakers", speakers or "")
        doc.add_text("terms", terms)
        doc.add_text("pairs", pairs_text(terms))
        writer.add_document(doc)

    def _commit(self, writer: Any) -> None:
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()

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
                phrase = Query.phrase_query(self.schema, "terms", words, slop)
                if slop:
                    return phrase
                # its pairs lead (tantivy intersects from the rarest), and the phrase query
                # checks positions only in the passages holding every pair ("and these" at
                # 10,000 hours: 28 ms as a phrase alone)
                pairs = [
                    (Occur.Must, Query.term_query(self.schema, "pairs", pair_token(a, b)))
                    for a, b in zip(words, words[1:], strict=False)
                ]
                return Query.boolean_query([*pairs, (Occur.Must, phrase)])
            return Query.boolean_query([(Occur.Must, self._match(p)) for p in match.parts])
        if isinstance(match, AllOf):
            return Query.boolean_query([(Occur.Must, self._match(i)) for i in match.items])
        assert isinstance(match, AnyOf)
        return Query.boolean_query([(Occur.Should, self._match(o)) for o in match.options])

    def _filters(self, filters: Filters) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        clauses = []
        if filters.talk:
            clauses.append((Occur.Must, Query.term_query(self.schema, "slug", filters.talk)))
        if filters.talks is not None:
            any_talk = [
                (Occur.Should, Query.term_query(self.schema, "slug", slug))
                for slug in filters.talks or (NO_TALK,)
            ]
            clauses.append((Occur.Must, Query.boolean_query(any_talk)))
        if filters.date_from or filters.date_to:
            clauses.append(
                (
                    Occur.Must,
                    Query.range_query(
                        self.schema,
                        "date",
                        tantivy.FieldType.Integer,
                        date_number(filters.date_from) if filters.date_from else None,
                        date_number(filters.date_to) if filters.date_to else None,
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

    def search(
        self, snapshot: Snapshot, plan: MatchPlan, limit: int, best_of: int | None = None
    ) -> list[tuple[int, float]]:
        """The best `limit` matches, ties broken by passage id as FTS5 breaks them. Tantivy
        breaks ties by where a document sits, which changes when its background merges
        rewrite segments; equal scores are common (passages are of equal length), so the tie at
        the cut is fetched whole (up to TIE_FETCH times `limit`) and cut by id."""
        if limit <= 0:
            return []
        searcher = self._searcher()
        query = self.build_query(plan)
        # the tie at once, in one query: its cost is in matching and scoring, nearly the same
        # for the best 60 or 960 (a phrase of two common words at 10,000 hours: 27.5 / 28.0 ms),
        # where asking again as the tie went on ran the query twice
        hits = searcher.search(query, TIE_FETCH * limit, count=False).hits
        if not hits:
            return []
        if len(hits) > limit:
            cut = hits[limit - 1][0]
            hits = [hit for hit in hits if hit[0] >= cut]
        ids = searcher.fast_field_values("id", [address for _, address in hits])
        ranked = sorted(
            ((int(pid), float(score)) for (score, _), pid in zip(hits, ids, strict=True)),
            key=lambda hit: (-hit[1], hit[0]),
        )
        return ranked[:limit]

    def read_terms(self, snapshot: Snapshot, terms: list[str]) -> None:
        pass  # the searcher holds every term's count

    def term_passages(self, snapshot: Snapshot, term: str) -> int:
        return int(self._searcher().doc_freq("terms", term))

    def count_passages(self, snapshot: Snapshot) -> int:
        return int(self._searcher().num_docs)
