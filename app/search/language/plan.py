"""The engine-neutral match tree: query clauses (app/search/language/query.py) analysed into index
terms (stems). The ideas keep their names across the two layers: a query Phrase becomes a
match Phrase, a query AnyOf a match AnyOf.

Engines render it to their own syntax; ranking.py checks it against passage terms in Python.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Terms:
    """One query word: any of these index terms matches it (several after prefix expansion or
    spelling correction)."""

    alternatives: tuple[str, ...]


@dataclass(frozen=True)
class Phrase:
    """Words that must appear next to each other, in order (a phrase)."""

    parts: tuple[Terms, ...]


@dataclass(frozen=True)
class AnyOf:
    options: tuple["Terms | Phrase | AllOf", ...]


@dataclass(frozen=True)
class AllOf:
    """Every one of these (used to ask for "all but one of the words" in one query)."""

    items: tuple["Terms | Phrase | AnyOf", ...]


Match = Terms | Phrase | AnyOf | AllOf


@dataclass(frozen=True)
class Filters:
    talk: str | None = None  # slug
    talks: tuple[str, ...] | None = None  # only these talks (slugs): a topic's or a year's
    speakers: tuple[str, ...] = ()
    date_from: str | None = None  # ISO dates, inclusive
    date_to: str | None = None


@dataclass(frozen=True)
class MatchPlan:
    """Passages must hold every clause of `must` (or, with `near`, all within `near` words of
    each other) and none of `must_not`."""

    must: tuple[Match, ...]
    must_not: tuple[Match, ...] = ()
    near: int | None = None
    filters: Filters = field(default_factory=Filters)


def flat_terms(match: Match) -> tuple[Terms, ...]:
    if isinstance(match, Terms):
        return (match,)
    if isinstance(match, Phrase):
        return match.parts
    if isinstance(match, AllOf):
        return tuple(t for item in match.items for t in flat_terms(item))
    return tuple(t for option in match.options for t in flat_terms(option))


def match_bound(plan: MatchPlan, passages_with: Callable[[str], int]) -> int:
    """At most how many passages can match the plan: its rarest required clause's passages,
    from each term's passage count."""

    def bound(match: Match) -> int:
        if isinstance(match, Terms):
            return sum(passages_with(t) for t in match.alternatives)
        if isinstance(match, Phrase):
            return min(bound(p) for p in match.parts)
        if isinstance(match, AllOf):
            return min(bound(i) for i in match.items)
        return sum(bound(o) for o in match.options)

    return min((bound(m) for m in plan.must), default=0)
