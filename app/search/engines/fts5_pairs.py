"""The FTS5 engine's pair index: a phrase asked as the adjacent term pairs it needs (one token
each, no positions), and each pair match confirmed on the passage's stored terms in Python.
FTS5 checks a phrase against the positions of every passage holding all its words, 3-9 ms for
a phrase of common words at 1,000 hours, where the pairs' posting lists are short (0.1-0.5 ms;
docs/how-search-works.md)."""

import math
from collections.abc import Callable, Iterable, Sequence

from app.search.engines.fts5_syntax import _string, filter_sql
from app.search.language.plan import (
    AllOf,
    AnyOf,
    Match,
    MatchPlan,
    Phrase,
    Terms,
)
from app.store import Snapshot
from app.text.pairs import pair_token

RARE_PAIRS = 3  # pairs a longer phrase is listed by


def render_pairs(match: Match, passages_with: Callable[[str], int] | None = None) -> str | None:
    """A phrase of single terms (or a choice of such phrases) as the pairs it needs; None for
    any other match. With `passages_with` (a term's passages), what is asked is a superset of
    its passages, to be confirmed on their terms: the choice of phrases one phrase with a
    choice of words makes ("the bigger", "the bigegr") is asked as a choice of pairs at each
    place (the pairs its readings share are asked once, not once a reading), and of more than
    RARE_PAIRS places only the rarest RARE_PAIRS are asked."""
    readings = _readings(match)
    if readings is None:
        return None
    if passages_with is not None and len({len(words) for words in readings}) == 1:
        return _rarest_places(readings, passages_with)
    if isinstance(match, Phrase):
        words = readings[0]
        pairs = [_string(pair_token(a, b)) for a, b in zip(words, words[1:], strict=False)]
        return "(" + " AND ".join(pairs) + ")"
    assert isinstance(match, AnyOf)
    options = [render_pairs(o) for o in match.options]
    return "(" + " OR ".join(options) + ")"  # type: ignore[arg-type]


def _readings(match: Match) -> list[list[str]] | None:
    """The words of a phrase of single terms, or of each phrase of a choice of them; None for
    any other match, or a phrase holding a term FTS5 drops (it would not make the pair token it
    stands for)."""
    if isinstance(match, Phrase):
        if len(match.parts) < 2 or any(len(p.alternatives) != 1 for p in match.parts):
            return None
        words = [p.alternatives[0] for p in match.parts]
        return [words] if _whole_tokens(words) else None
    if isinstance(match, AnyOf) and match.options:
        options = [_readings(o) for o in match.options]
        if None in options:
            return None
        return [words for found in options for words in found]  # type: ignore[union-attr]
    return None


def _rarest_places(readings: list[list[str]], passages_with: Callable[[str], int]) -> str:
    """Readings of one length as the choice of pairs at each place, the RARE_PAIRS rarest
    places when there are more: a pair is in at most as many passages as its rarer word, and a
    pair of common words ("need to") is a posting list FTS5 reads whole, however rare the
    others are."""
    places = [
        sorted({(words[i], words[i + 1]) for words in readings})
        for i in range(len(readings[0]) - 1)
    ]

    def rarity(place: list[tuple[str, str]]) -> tuple[int, int]:
        counts = [sorted((passages_with(a), passages_with(b))) for a, b in place]
        return sum(low for low, _ in counts), sum(high for _, high in counts)

    if len(places) > RARE_PAIRS:
        places = sorted(places, key=rarity)[:RARE_PAIRS]
    asked = []
    for place in places:
        tokens = [_string(pair_token(a, b)) for a, b in place]
        asked.append(tokens[0] if len(tokens) == 1 else "(" + " OR ".join(tokens) + ")")
    return "(" + " AND ".join(asked) + ")"


def pair_matches_sql(
    plan: MatchPlan,
    before_id: int | None = None,
    passages_with: Callable[[str], int] | None = None,
) -> tuple[str, list[object]] | None:
    """Passages that may hold the plan's phrase, newest first (`LIMIT ?`; older than
    `before_id`), when the plan is one phrase or a choice of phrases (by its rarest pairs
    with `passages_with`, as render_pairs)."""
    if len(plan.must) != 1 or plan.must_not or plan.near is not None:
        return None
    expr = render_pairs(plan.must[0], passages_with)
    if expr is None:
        return None
    join, params = filter_sql(plan.filters)
    older = "" if before_id is None else f" AND f.rowid < {int(before_id)}"
    sql = (
        f"SELECT f.rowid FROM passage_pairs f{join} "
        f"WHERE passage_pairs MATCH ?{older} ORDER BY f.rowid DESC LIMIT ?"
    )
    return sql, [*params, expr]


def _whole_tokens(terms: Iterable[str]) -> bool:
    """Whether FTS5's tokenizer keeps each term whole, as one token: not a term of its own in
    analysis.WORD_RE that it drops ("・", a CJK-range mark)."""
    return all(t.isalnum() for t in terms)


def _newest_holding(
    snapshot: Snapshot,
    listing: Callable[[int | None], tuple[str, list[object]]],
    holds: Callable[[str], bool],
    probe: int,
    batch: int,
    grow: int = 1,
    most_read: float = math.inf,
    largest: float = math.inf,
) -> list[int] | None:
    """The newest `probe` listed passages whose stored terms pass `holds`, newest first.
    `listing(before)` lists candidates newest first (`LIMIT ?`; older than `before`), `batch`
    at a time, each batch `grow` times the one before (at most `largest`); None when
    `most_read` candidates were read without `probe` of them passing."""
    held: list[int] = []
    read = 0
    before: int | None = None
    while read < most_read:
        sql, params = listing(before)
        candidates = [rowid for (rowid,) in snapshot.rows(sql, (*params, batch))]
        held += _confirmed(snapshot, candidates, holds, probe - len(held))
        read += len(candidates)
        if len(held) >= probe or len(candidates) < batch:
            return held
        before = candidates[-1]
        batch = int(min(batch * grow, largest))
    return None


def _confirmed(
    snapshot: Snapshot, candidates: list[int], holds: Callable[[str], bool], most: int
) -> list[int]:
    """The first `most` candidates, in their order, whose stored terms (one string, a space
    before and after) pass `holds`. The terms are read `most` candidates at first, twice as many
    each time after: a listing of 240 often holds the 60 asked for in its first 60 or so
    (2-3 common words at 1,000 hours: 4,392 candidates' terms read for 1,994 kept)."""
    held: list[int] = []
    start, size = 0, max(most, 1)
    while start < len(candidates) and len(held) < most:
        chunk = candidates[start : start + size]
        start, size = start + len(chunk), 2 * size
        stored = snapshot.stored_terms(chunk)
        for pid in chunk:
            if pid in stored and holds(f" {stored[pid][2]} "):
                held.append(pid)
                if len(held) >= most:
                    break
    return held


def _text_test(match: Match) -> Callable[[str], bool]:
    """Whether a passage's stored terms (a space before and after) match as FTS5 matches the
    clause render_match writes (a phrase holding a word with alternatives: each of its words)."""
    plain = _substring(match)
    if plain is not None:
        return lambda text: plain in text
    if isinstance(match, Terms):
        words = [f" {t} " for t in match.alternatives]
        return lambda text: any(map(text.__contains__, words))
    if isinstance(match, Phrase):
        return _every_test(match.parts)
    if isinstance(match, AllOf):
        return _every_test(match.items)
    tests = [_text_test(o) for o in match.options]
    return lambda text: any(test(text) for test in tests)


def _every_test(matches: Sequence[Match]) -> Callable[[str], bool]:
    """Whether the stored terms match every one of `matches`. A word or a phrase without
    alternatives is one substring, and all of them are looked for in one C-level pass
    (`map`): a quote's words are tested on every candidate listed."""
    plain = [(m, _substring(m)) for m in matches]
    needed = [text for _, text in plain if text is not None]
    rest = [_text_test(m) for m, text in plain if text is None]
    if not rest:
        return lambda text: all(map(text.__contains__, needed))
    return lambda text: all(map(text.__contains__, needed)) and all(t(text) for t in rest)


def _substring(match: Match) -> str | None:
    """The stored terms' text a word or phrase without alternatives is (spaces around it)."""
    if isinstance(match, Terms) and len(match.alternatives) == 1:
        return f" {match.alternatives[0]} "
    if isinstance(match, Phrase) and all(len(p.alternatives) == 1 for p in match.parts):
        return " " + " ".join(p.alternatives[0] for p in match.parts) + " "
    return None
