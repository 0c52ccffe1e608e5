"""A parsed query made into the plan the engines are asked: each word stemmed, each prefix
expanded from the archive's vocabulary, all of a query's prefixes sharing one budget."""

from app.search import tuning
from app.search.language import query
from app.search.language.plan import AnyOf, Filters, Match, MatchPlan, Phrase, Terms
from app.search.language.query import ParsedQuery
from app.search.relax import vocabulary
from app.store import Snapshot
from app.text.analysis import stem


def planned(
    snapshot: Snapshot, parsed: ParsedQuery, filters: Filters
) -> tuple[MatchPlan, tuple[int, ...]]:
    """The plan, and for each clause as said its place among the plan's clauses (a word
    said twice is one clause of the plan, twice in the phrase pass and the label)."""
    places: dict[query.Clause, int] = {}
    said = tuple(places.setdefault(c, len(places)) for c in parsed.must)
    return plan_query(snapshot, parsed, filters), said


def plan_query(snapshot: Snapshot, parsed: ParsedQuery, filters: Filters) -> MatchPlan:
    # a word said twice in a quote is one clause: ranking looks for each clause once
    parsed.must = list(dict.fromkeys(parsed.must))
    prefixes = sum(_prefixes(c) for c in (*parsed.must, *parsed.must_not))
    # the words every prefix of the query may stand for, shared among them
    per_prefix = max(tuning.PREFIX_MIN_WORDS, tuning.PREFIX_QUERY_WORDS // max(prefixes, 1))
    per_prefix = min(per_prefix, vocabulary.PREFIX_WORDS)
    return MatchPlan(
        must=tuple(_analyse(snapshot, c, per_prefix) for c in parsed.must),
        must_not=tuple(_analyse(snapshot, c, per_prefix) for c in parsed.must_not),
        filters=filters,
    )


def _analyse(snapshot: Snapshot, clause: query.Clause, per_prefix: int) -> Match:
    if isinstance(clause, query.Word):
        if clause.prefix:
            expanded = vocabulary.expand_prefix(snapshot, clause.text, per_prefix)
            stems = dict.fromkeys(stem(w) for w in expanded) or {stem(clause.text): None}
            return Terms(tuple(stems))
        return Terms((stem(clause.text),))
    if isinstance(clause, query.Phrase):
        return Phrase(tuple(Terms((stem(w),)) for w in clause.words))
    assert isinstance(clause, query.AnyOf)
    options = dict.fromkeys(_analyse(snapshot, o, per_prefix) for o in clause.options)
    return AnyOf(tuple(options))  # type: ignore[arg-type]


def _prefixes(clause: query.Clause) -> int:
    if isinstance(clause, query.AnyOf):
        return sum(_prefixes(o) for o in clause.options)
    return int(isinstance(clause, query.Word) and clause.prefix)
