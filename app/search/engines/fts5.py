"""SQLite FTS5 engine. All FTS5 syntax and SQL for the passage index lives here.

Terms are rendered as quoted strings (double quotes doubled), so no user text is ever read as
FTS5 syntax; values are bound parameters; filter columns come from a fixed set.

Beside the index of terms, an index of adjacent term pairs ("kind_of", one token each; no
positions, no stored text) finds the passages that may hold a phrase: FTS5 checks a phrase
against the positions of every passage holding all its words, 3-9 ms for a phrase of common
words at 1,000 hours, where the pairs' posting lists are short (0.1-0.5 ms; README, "How it
finds the moment"). A pair match is a candidate, confirmed on the passage's stored terms.
"""

from collections.abc import Sequence
from dataclasses import replace

from app.search.engines import bm25
from app.search.engines.fts5_pairs import (
    _every_test,
    _newest_holding,
    _text_test,
    _whole_tokens,
    pair_matches_sql,
)
from app.search.engines.fts5_syntax import (
    matches_sql,
    near_renders,
    search_sql,
)
from app.search.language.plan import (
    AllOf,
    Match,
    MatchPlan,
    Phrase,
    Terms,
    flat_terms,
    match_bound,
)
from app.store import Snapshot, Store, Writer
from app.text.pairs import pairs_text
from app.text.passages import PASSAGE_WORDS

INSERT_SQL = "INSERT INTO passage_fts(rowid, terms) VALUES (?, ?)"
REMOVE_TALK_SQL = (
    "DELETE FROM passage_fts WHERE rowid IN (SELECT id FROM passages WHERE talk_id = ?)"
)
# what an index holds, read from its docsize table (FTS5's row of token counts for each row it
# indexed, kept in step with the index): at 10,000 hours 165 ms, where scanning the FTS5 table
# itself took 784 ms (and the pair index 149 against 435), counted at every server start
INDEXED_SQL = "SELECT count(*), coalesce(sum(id), 0) FROM passage_fts_docsize"
STORED_SQL = "SELECT count(*), coalesce(sum(id), 0) FROM passages"
REBUILD_SQL = "INSERT INTO passage_fts(rowid, terms) SELECT id, terms FROM passages"
CLEAR_SQL = "DELETE FROM passage_fts"
AVERAGES_SQL = "SELECT block FROM passage_fts_data WHERE id = 1"
ID_RANGE_SQL = "SELECT (SELECT min(id) FROM passages), (SELECT max(id) FROM passages)"
# FTS5 scores every match before it can sort (no skipping of low-scoring blocks as in tantivy):
# ranking the 140,000 passages holding "and" at 1,000 hours takes 330 ms. A query that may
# match more than SCAN_LIMIT passages is ranked over the most recently added passages that
# should hold about that many matches, widened while it finds fewer than asked for.
SCAN_LIMIT = 2000
# FTS5's bm25() also weighs each query word by reading its whole posting list before it scores
# a row (3-8 ms for a common word at 1,000 hours, ten times that at 10,000), where Python scores
# a passage from its stored terms for about the cost of reading 250 postings. So the newest
# PROBED matches are first listed unscored and, when that is cheaper than bm25(), scored in
# Python with FTS5's formula (app/search/engines/bm25.py): every match when they are all, else the
# newest PROBED of them.
PROBED = 500
POSTINGS_PER_SCORE = 250
MAX_WIDEN = 16

# A plan of several clauses (words, a corrected word's readings, sound-alikes) lists its candidates
# by its RAREST rarest clauses (by all but the commonest of three), newest first in batches of up to
# RARE_BATCH (the first four times the matches asked for), and keeps those whose stored terms hold
# every clause until it has enough: FTS5 walks every word's posting list to AND them (36 ms for a
# quote holding "the" at 10,000 hours, 9 ms for its three rarest words), where a candidate is read
# and checked in about 3 microseconds. Past RARE_CANDIDATES candidates read, FTS5's own AND is the
# cheaper.
RAREST = 3
RARE_BATCH = 1000
RARE_CANDIDATES = 4000

PAIR_INSERT_SQL = "INSERT INTO passage_pairs(rowid, pairs) VALUES (?, ?)"
# a contentless FTS5 table forgets a row by being told the text it indexed
PAIR_DELETE_SQL = "INSERT INTO passage_pairs(passage_pairs, rowid, pairs) VALUES ('delete', ?, ?)"
PAIRS_CLEAR_SQL = "INSERT INTO passage_pairs(passage_pairs) VALUES ('delete-all')"
PAIRS_INDEXED_SQL = "SELECT count(*), coalesce(sum(id), 0) FROM passage_pairs_docsize"
PAIRS_AVERAGES_SQL = "SELECT block FROM passage_pairs_data WHERE id = 1"
TALK_TERMS_SQL = "SELECT id, terms FROM passages WHERE talk_id = ?"
TERMS_AFTER_SQL = "SELECT id, terms FROM passages WHERE id > ? ORDER BY id LIMIT ?"
REBUILD_BATCH = 20000


def _phrases(matches: Sequence[Match]) -> list[bm25.Phrase]:
    """The phrases FTS5 weighs for these clauses, as render_match writes them."""
    out: list[bm25.Phrase] = []
    for match in matches:
        if isinstance(match, Terms):
            out += [(t,) for t in match.alternatives]
        elif isinstance(match, Phrase):
            if all(len(p.alternatives) == 1 for p in match.parts):
                out.append(tuple(p.alternatives[0] for p in match.parts))
            else:
                out += _phrases(match.parts)
        elif isinstance(match, AllOf):
            out += _phrases(match.items)
        else:
            out += _phrases(match.options)
    return list(dict.fromkeys(out))


def _varint(data: bytes, at: int) -> tuple[int, int]:
    """SQLite's variable-length integer at `at`: its value and where the next one starts."""
    value = 0
    for k in range(9):
        byte = data[at + k]
        if k == 8:
            return (value << 8) | byte, at + 9
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, at + k + 1
    raise AssertionError("unreachable")


def _averages(snapshot: Snapshot, sql: str) -> tuple[int, int]:
    """An FTS5 table's own totals, from its 'averages' record (two varints: the row count and
    the column's token count); (0, 0) when it has none."""
    found = snapshot.rows(sql)
    if not found or not found[0][0]:
        return 0, 0
    rows, at = _varint(found[0][0], 0)
    return rows, _varint(found[0][0], at)[0]


class Fts5Engine:
    name = "fts5"
    cheap_phrases = True  # the pair index lists a phrase's passages without its words' postings

    def __init__(self) -> None:
        self._pairs_in_step = False  # known true once this process synced or saw it

    def sync(self, store: Store) -> int:
        """The indexes are written in each talk's transaction, but an archive ingested with
        another engine (or before the pair index) lacks them: rebuild an index that disagrees
        with the passages."""
        with store.snapshot() as snapshot:
            stored = snapshot.rows(STORED_SQL)
            terms_ok = snapshot.rows(INDEXED_SQL) == stored
            pairs_ok = snapshot.rows(PAIRS_INDEXED_SQL) == stored
        if terms_ok and pairs_ok:
            self._pairs_in_step = True
            return 0
        return self._rebuild(store, terms=not terms_ok, pairs=not pairs_ok)

    def rebuild(self, store: Store) -> int:
        return self._rebuild(store, terms=True, pairs=True)

    def _rebuild(self, store: Store, terms: bool, pairs: bool) -> int:
        """Rewrites the index of terms and/or of pairs from the passages; returns the talks."""
        with store.write() as writer:
            if terms:
                writer.execute(CLEAR_SQL)
                writer.execute(REBUILD_SQL)
            if pairs:
                writer.execute(PAIRS_CLEAR_SQL)
                after = 0
                while batch := writer.rows(TERMS_AFTER_SQL, (after, REBUILD_BATCH)):
                    rows = [(pid, pairs_text(text)) for pid, text in batch]
                    writer.execute_many(PAIR_INSERT_SQL, rows)
                    after = batch[-1][0]
            talks = int(writer.rows("SELECT count(*) FROM talks")[0][0])
        self._pairs_in_step = True
        return talks

    def add_passages(self, writer: Writer, rows: Sequence[tuple[int, str]]) -> None:
        writer.execute_many(INSERT_SQL, list(rows))
        writer.execute_many(PAIR_INSERT_SQL, [(pid, pairs_text(terms)) for pid, terms in rows])

    def remove_talk(self, writer: Writer, talk_id: int) -> None:
        held = writer.rows(TALK_TERMS_SQL, (talk_id,))
        writer.execute_many(PAIR_DELETE_SQL, [(pid, pairs_text(terms)) for pid, terms in held])
        writer.execute(REMOVE_TALK_SQL, (talk_id,))

    def search(
        self, snapshot: Snapshot, plan: MatchPlan, limit: int, best_of: int | None = None
    ) -> list[tuple[int, float]]:
        probe = max(limit, PROBED if best_of is None else best_of)
        ranked = self._ranked(snapshot, plan, limit, probe)
        return [(int(rowid), -float(score)) for rowid, score in ranked]

    def _ranked(self, snapshot: Snapshot, plan: MatchPlan, limit: int, probe: int) -> list[tuple]:
        """(rowid, bm25) of the best `limit` matches: of every match when there are at most
        `probe`; else of the newest matches (`probe` of them when the words' posting lists are
        long, else those of the newest passages holding about SCAN_LIMIT matches). Scored in
        Python when that is cheaper than bm25()."""
        if plan.near is not None and not near_renders(plan):
            plan = replace(plan, near=None)  # what FTS5 is asked is the plain AND
        phrases = _phrases(plan.must)
        # the postings bm25() would read to weigh the plan's words: every word's passages
        postings = sum(snapshot.term_passages(t) for p in phrases for t in p)
        bound = self._match_bound(snapshot, plan)
        # one word has exactly `bound` matches: listing them is skipped when that many cost
        # more to score in Python than bm25() (a rare word)
        one_word = len(plan.must) == 1 and isinstance(plan.must[0], Terms) and not plan.must_not
        listing = not one_word or min(bound, probe) * POSTINGS_PER_SCORE <= postings
        # NEAR weighs only the words' instances near each other: left to bm25()
        if plan.near is None and postings >= POSTINGS_PER_SCORE and listing:
            found = self._phrase_matches(snapshot, plan, probe)
            if found is None:
                found = self._rare_first(snapshot, plan, probe)
            if found is None:
                sql, params = matches_sql(plan)
                found = [rowid for (rowid,) in snapshot.rows(sql, (*params, probe))]
            if len(found) * POSTINGS_PER_SCORE <= postings:
                return self._scored(snapshot, phrases, found)[:limit]
        if bound > SCAN_LIMIT and not plan.filters.talk:
            low, high = snapshot.rows(ID_RANGE_SQL)[0]
            share = SCAN_LIMIT / bound
            while share < 1:
                after = high - int(share * (high - low + 1))
                sql, params = search_sql(plan, after)
                rows = snapshot.rows(sql, (*params, limit))
                if len(rows) >= limit:
                    return rows
                # matches are sparser than the bound said (a phrase, words rarely together):
                # widen by what the window found, with margin
                share *= min(max(2.0, 1.5 * limit / max(len(rows), 1)), MAX_WIDEN)
        sql, params = search_sql(plan)
        return snapshot.rows(sql, (*params, limit))

    def _phrase_matches(self, snapshot: Snapshot, plan: MatchPlan, probe: int) -> list[int] | None:
        """The newest passages holding the plan's phrase (up to `probe`, newest first), found
        through the pair index and confirmed on their terms; None when the plan is not a
        phrase. While too many candidates are not the phrase, the older ones next, 4x more.

        A phrase of more than RARE_PAIRS pairs is listed by its rarest pairs, and readings of
        one phrase by the pairs each place may hold (render_pairs): the pairs of common words
        ("and you", "need to") are posting lists FTS5 reads whole for every batch. The 208
        phrase plans of the benchmark's quotes, phrases, words and typos at 10,000 hours, each
        timed best of 3: 262 ms in all (p90 3.3 ms) listed by every pair of every reading;
        162 ms (p90 2.2) by the 3 rarest with a first batch of 4x; 152 ms (p90 2.1) with
        readings asked as a choice at each place."""
        whole = pair_matches_sql(plan)
        if whole is None or not self._pairs_usable(snapshot):
            return None
        # a superset of the phrase's passages: a larger first batch than one of matches
        passages_with = snapshot.term_passages
        rarest = pair_matches_sql(plan, None, passages_with)  # the first batch's listing
        batch = probe if rarest == whole else 4 * probe

        def listing(before: int | None) -> tuple[str, list[object]]:
            query = rarest if before is None else pair_matches_sql(plan, before, passages_with)
            assert query is not None
            return query

        return _newest_holding(snapshot, listing, _text_test(plan.must[0]), probe, batch, grow=4)

    def _pairs_usable(self, snapshot: Snapshot) -> bool:
        """Whether the pair index holds every passage: known from this process's sync, else
        from its row count (FTS5's 'averages' record) against the archive's passages. Counting
        and summing the ids of both, as sync does, took 0.34-0.41 s at 10,000 hours (the pair
        index read from its docsize table; 0.6-1.2 s scanning the index itself) in a process
        that had not synced (`talks search`); a pair index is written with its passages, in
        their transaction, so a count that agrees is every passage's."""
        if not self._pairs_in_step:
            rows, _ = _averages(snapshot, PAIRS_AVERAGES_SQL)
            self._pairs_in_step = rows == snapshot.passage_count()
        return self._pairs_in_step

    def _rare_first(self, snapshot: Snapshot, plan: MatchPlan, probe: int) -> list[int] | None:
        """The newest passages (up to `probe`, newest first) matching a plan of RAREST clauses
        or more, listed by its RAREST rarest clauses (all but the commonest of three) and
        confirmed on their terms; None when the plan excludes words or holds a term FTS5 does
        not keep whole, or when RARE_CANDIDATES candidates did not hold `probe` matches."""
        must = plan.must
        if plan.must_not or len(must) < RAREST:
            return None
        if not _whole_tokens(t for m in must for part in flat_terms(m) for t in part.alternatives):
            return None
        by_rarity = sorted(
            must, key=lambda m: match_bound(replace(plan, must=(m,)), snapshot.term_passages)
        )
        rarest = replace(plan, must=tuple(by_rarity[: min(RAREST, len(must) - 1)]))
        holds_every_clause = _every_test(must)
        # a few more than asked first (most of a few common words' candidates hold them all),
        # then more at a time: reading RARE_BATCH stored terms to keep a block of 60 was most of
        # the AND that fills a quote's page below its readings as said
        return _newest_holding(
            snapshot,
            lambda before: matches_sql(rarest, before),
            holds_every_clause,
            probe,
            batch=min(RARE_BATCH, 4 * probe),
            grow=4,
            most_read=RARE_CANDIDATES,
            largest=RARE_BATCH,
        )

    def _scored(
        self, snapshot: Snapshot, phrases: list[bm25.Phrase], ids: list[int]
    ) -> list[tuple]:
        """(rowid, FTS5's bm25 for the plan's `phrases`: lower is better) of these passages —
        every match of the plan, or its newest — best first. A phrase of several words is
        weighed by the passages among these holding it: exact when they are every match of that
        phrase or choice of phrases."""
        if not ids:
            return []
        count = max(snapshot.passage_count(), 1)
        stored = snapshot.stored_terms(ids)
        held = {pid: bm25.occurrences(stored[pid][2], phrases) for pid in ids if pid in stored}
        weights = {
            p: bm25.idf(
                snapshot.term_passages(p[0])
                if len(p) == 1
                else sum(p in counts for counts in held.values()),
                count,
            )
            for p in phrases
        }
        average = self._average_length(snapshot)
        scored = [
            (pid, -bm25.bm25(counts, weights, bm25.length(stored[pid][2]), average))
            for pid, counts in held.items()
        ]
        return sorted(scored, key=lambda row: (row[1], row[0]))

    def _average_length(self, snapshot: Snapshot) -> float:
        """Terms per passage, from FTS5's own totals (its 'averages' record: two varints, the
        row count and the column's token count)."""
        rows, tokens = _averages(snapshot, AVERAGES_SQL)
        return tokens / rows if rows else float(PASSAGE_WORDS)

    def _match_bound(self, snapshot: Snapshot, plan: MatchPlan) -> int:
        """At most how many passages can match: the rarest required clause's passages."""
        return match_bound(plan, snapshot.term_passages)

    def count_passages(self, snapshot: Snapshot) -> int:
        return snapshot.passage_count()

    def term_passages(self, snapshot: Snapshot, term: str) -> int:
        return snapshot.term_passages(term)

    def read_terms(self, snapshot: Snapshot, terms: list[str]) -> None:
        snapshot.read_term_passages(terms)
