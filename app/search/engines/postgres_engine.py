"""PostgreSQL full-text engine: each passage's index terms as a tsvector with positions (GIN),
queried with tsquery. All tsvector and tsquery syntax lives here.

The terms are already analysed by app.text.analysis and go into tsvector and tsquery literals
as quoted lexemes, so PostgreSQL neither parses, stems nor drops them: no stop words ("to be or
not to be" stays a phrase of six words), and no user text is ever read as tsquery syntax. Values
are bound parameters; filter columns come from a fixed set.
"""

from collections.abc import Sequence

from app.search.engines.engine import filter_conditions
from app.search.language.plan import (
    AllOf,
    AnyOf,
    Filters,
    Match,
    MatchPlan,
    Phrase,
    Terms,
    match_bound,
)
from app.store import Snapshot, Store, Writer

# a talk's passages in one statement, as two arrays
INSERT_SQL = (
    "INSERT INTO passage_index(id, tsv) SELECT id, CAST(tsv AS tsvector) "
    "FROM unnest(CAST(? AS integer[]), CAST(? AS text[])) AS rows(id, tsv)"
)
REMOVE_TALK_SQL = (
    "DELETE FROM passage_index WHERE id IN (SELECT id FROM passages WHERE talk_id = ?)"
)
INDEXED_SQL = "SELECT count(*), coalesce(sum(id), 0) FROM passage_index"
STORED_SQL = "SELECT count(*), coalesce(sum(id), 0) FROM passages"
CLEAR_SQL = "TRUNCATE passage_index"
DROP_GIN_SQL = "DROP INDEX IF EXISTS ix_passage_index_tsv"
CREATE_GIN_SQL = "CREATE INDEX ix_passage_index_tsv ON passage_index USING gin (tsv)"
# ingest adds entries to the GIN index's pending list (fastupdate), which every search scans:
# merged into the index proper after each ingest run
MERGE_PENDING_SQL = "SELECT gin_clean_pending_list('ix_passage_index_tsv')"
# the planner's statistics of the index and the passages, brought up to date after an ingest:
# until autovacuum got to them, a common word was ranked through the GIN index over every
# match, not over the newest (65.6 ms against 2.6 at 1,000 hours, just after the ingest)
ANALYZE_SQL = "ANALYZE passage_index, passages"
PASSAGES_AFTER_SQL = "SELECT id, terms FROM passages WHERE id > ? ORDER BY id LIMIT ?"
TALK_COUNT_SQL = "SELECT count(*) FROM talks"
REBUILD_BATCH = 5000
# ts_rank reads every match's tsvector: ranking the 140,000 passages holding "and" at 1,000
# hours would take seconds. A query that may match more than CAP_BOUND passages is ranked over
# its newest SCAN_LIMIT matches, found by walking the primary key backwards. Below CAP_BOUND
# every match is ranked (through the GIN index): a bound can overstate the matches (a prefix,
# words rarely together), and the backward walk then reads most of the table (450 ms for a
# prefix bounded at 2,850 that matched 2,422). Measured at 1,000 hours (make bench): a window of
# ids instead, as FTS5 uses, was slower at p50 and p99, its widening re-reading rows.
SCAN_LIMIT = 2000
CAP_BOUND = 4 * SCAN_LIMIT
# a phrase of common words is checked against every passage the walk reads, and its matches
# are few among them: its newest 200 matches are ranked ("one to" as a phrase: 130 ms for
# 2,000 at 1,000 hours). Every one of them reads as the phrase; ranking in Python orders them.
PHRASE_SCAN_LIMIT = 200


def _lexeme(term: str) -> str:
    if "'" in term or "\\" in term:  # never from app.text.analysis, but quoted all the same
        term = term.replace("\\", "\\\\").replace("'", "''")
    return f"'{term}'"


def tsvector_literal(terms: str) -> str:
    """'go far go' -> "'go':1,3 'far':2": the terms as lexemes with their positions."""
    positions: dict[str, list[str]] = {}
    for i, term in enumerate(terms.split(), start=1):
        if term in positions:
            positions[term].append(str(i))
        else:
            positions[term] = [str(i)]
    return " ".join([f"{_lexeme(t)}:{','.join(p)}" for t, p in positions.items()])


def _terms(terms: Terms) -> str:
    if len(terms.alternatives) == 1:
        return _lexeme(terms.alternatives[0])
    return "(" + " | ".join(_lexeme(t) for t in terms.alternatives) + ")"


def render_match(match: Match) -> str:
    if isinstance(match, Terms):
        return _terms(match)
    if isinstance(match, Phrase):
        return "(" + " <-> ".join(_terms(p) for p in match.parts) + ")"
    if isinstance(match, AllOf):
        return "(" + " & ".join(render_match(i) for i in match.items) + ")"
    return "(" + " | ".join(render_match(o) for o in match.options) + ")"


def render_plan(plan: MatchPlan) -> str:
    """The plan as tsquery text. `near` asks for every word (tsquery has no "within N words":
    ranking in Python then prefers the passages where they stand close)."""
    expr = " & ".join(render_match(m) for m in plan.must)
    if plan.must_not:
        expr = f"({expr}) & !(" + " | ".join(render_match(m) for m in plan.must_not) + ")"
    return expr


def filter_sql(filters: Filters) -> tuple[str, str, list[object]]:
    """JOIN and WHERE fragments for the filters, from a fixed set of columns."""
    where, params = filter_conditions(filters, date="CAST(? AS date)")
    if not where:
        return "", "", []
    join = " JOIN passages p ON p.id = i.id JOIN talks t ON t.id = p.talk_id"
    return join, " AND " + " AND ".join(where), params


def search_sql(plan: MatchPlan, capped: bool) -> tuple[str, list[object]]:
    """Best matches by ts_rank; `capped`: among the newest SCAN_LIMIT matches only
    (PHRASE_SCAN_LIMIT for a plan holding a phrase)."""
    join, where, params = filter_sql(plan.filters)
    query = render_plan(plan)
    # ranked by the wanted words alone: ts_rank gives every match the same rank when the
    # query holds a negation
    rank_query = " & ".join(render_match(m) for m in plan.must)
    matches = f"FROM passage_index i{join} WHERE i.tsv @@ CAST(? AS tsquery){where}"
    if capped:
        ranked = (
            "SELECT id, ts_rank(tsv, CAST(? AS tsquery)) AS rank FROM "
            f"(SELECT i.id, i.tsv {matches} ORDER BY i.id DESC LIMIT {_scan_limit(plan)}) newest "
            "ORDER BY rank DESC, id LIMIT ?"
        )
    else:
        ranked = (
            f"SELECT i.id, ts_rank(i.tsv, CAST(? AS tsquery)) AS rank {matches} "
            "ORDER BY rank DESC, i.id LIMIT ?"
        )
    # the best matches' stored terms in the same statement: ranking in Python reads them next
    sql = (
        f"SELECT r.id, r.rank, s.talk_id, s.word_start, s.terms FROM ({ranked}) r "
        "JOIN passages s ON s.id = r.id ORDER BY r.rank DESC, r.id"
    )
    return sql, [rank_query, query, *params]


def _scan_limit(plan: MatchPlan) -> int:
    phrases = any(isinstance(t, Phrase) for m in plan.must for t in _clauses(m))
    return PHRASE_SCAN_LIMIT if phrases else SCAN_LIMIT


def _clauses(match: Match) -> tuple[Match, ...]:
    if isinstance(match, AllOf):
        return tuple(c for i in match.items for c in _clauses(i))
    if isinstance(match, AnyOf):
        return tuple(c for o in match.options for c in _clauses(o))
    return (match,)


class PostgresEngine:
    name = "postgres"
    cheap_phrases = False  # `<->` rechecks every row holding the words

    def sync(self, store: Store) -> int:
        """The index is written in each talk's transaction; rebuilt when it disagrees with the
        passages (an archive copied or ingested with another engine). Merges the GIN index's
        pending list either way."""
        with store.snapshot() as snapshot:
            whole = snapshot.rows(INDEXED_SQL) == snapshot.rows(STORED_SQL)
        if not whole:
            return self.rebuild(store)
        with store.write() as writer:
            merged = writer.rows(MERGE_PENDING_SQL)[0][0]
            if merged:  # talks were written since the last sync
                writer.execute(ANALYZE_SQL)
        return 0

    def rebuild(self, store: Store) -> int:
        """In one transaction; the GIN index is built once at the end (faster than keeping it
        up to date row by row)."""
        with store.write() as writer:
            writer.execute(CLEAR_SQL)
            writer.execute(DROP_GIN_SQL)
            after = 0
            while batch := writer.rows(PASSAGES_AFTER_SQL, (after, REBUILD_BATCH)):
                self.add_passages(writer, batch)
                after = batch[-1][0]
            writer.execute(CREATE_GIN_SQL)
            writer.execute(ANALYZE_SQL)
            return int(writer.rows(TALK_COUNT_SQL)[0][0])

    def add_passages(self, writer: Writer, rows: Sequence[tuple[int, str]]) -> None:
        if rows:
            writer.execute(
                INSERT_SQL,
                ([pid for pid, _ in rows], [tsvector_literal(terms) for _, terms in rows]),
            )

    def remove_talk(self, writer: Writer, talk_id: int) -> None:
        writer.execute(REMOVE_TALK_SQL, (talk_id,))

    def search(
        self, snapshot: Snapshot, plan: MatchPlan, limit: int, best_of: int | None = None
    ) -> list[tuple[int, float]]:
        capped = not plan.filters.talk and match_bound(plan, snapshot.term_passages) > CAP_BOUND
        sql, params = search_sql(plan, capped)
        rows = snapshot.planned_rows(sql, (*params, limit))
        snapshot.keep_stored(
            [(pid, talk_id, start, terms) for pid, _, talk_id, start, terms in rows]
        )
        return [(int(pid), float(rank)) for pid, rank, *_ in rows]

    def count_passages(self, snapshot: Snapshot) -> int:
        return snapshot.passage_count()

    def term_passages(self, snapshot: Snapshot, term: str) -> int:
        return snapshot.term_passages(term)

    def read_terms(self, snapshot: Snapshot, terms: list[str]) -> None:
        snapshot.read_term_passages(terms)
