"""The engine-neutral match tree: query clauses analysed into index terms (stems).

Engines render it to their own syntax; ranking.py checks it against passage terms in Python.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Terms:
    """One query word: any of these index terms matches it (several after prefix expansion or
    spelling correction)."""

    alternatives: tuple[str, ...]


@dataclass(frozen=True)
class Sequence:
    """Words that must appear next to each other, in order (a phrase)."""

    parts: tuple[Terms, ...]


@dataclass(frozen=True)
class Either:
    options: tuple["Terms | Sequence | AllOf", ...]


@dataclass(frozen=True)
class AllOf:
    """Every one of these (used to ask for "all but one of the words" in one query)."""

    items: tuple["Terms | Sequence | Either", ...]


Match = Terms | Sequence | Either | AllOf


@dataclass(frozen=True)
class Filters:
    talk: str | None = None  # slug
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
    if isinstance(match, Sequence):
        return match.parts
    if isinstance(match, AllOf):
        return tuple(t for item in match.items for t in flat_terms(item))
    return tuple(t for option in match.options for t in flat_terms(option))
