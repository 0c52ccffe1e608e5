"""BM25 of a passage for a query's phrases, computed in Python from its stored terms.

FTS5's own `bm25()` weighs each phrase of the query by reading that phrase's whole posting list
before it scores the first row: 3-8 ms for a common word at 1,000 hours however few rows match.
When a query's matches are few, the engine fetches them unscored and scores them here, with
FTS5's formula and constants (k1 = 1.2, b = 0.75, idf floored at 1e-6), and as FTS5 does, each
phrase — one word, or several words in a row — is weighed by how many passages hold it.
"""

import math
from collections.abc import Iterable, Sequence

K1 = 1.2
B = 0.75
MIN_IDF = 1e-6

Phrase = tuple[str, ...]  # index terms in a row: one term for a plain word


def idf(passages_with_phrase: int, passage_count: int) -> float:
    """FTS5's inverse document frequency of a phrase held by `passages_with_phrase` passages."""
    value = math.log((passage_count - passages_with_phrase + 0.5) / (passages_with_phrase + 0.5))
    return max(value, MIN_IDF)


def occurrences(terms: Sequence[str], phrases: Iterable[Phrase]) -> dict[Phrase, int]:
    """How often each phrase occurs in the passage's terms (one pass over the terms)."""
    phrases = list(phrases)
    if all(len(p) == 1 for p in phrases):
        # plain words: list.count runs in C, several times faster than the loop below
        counts = {p: terms.count(p[0]) for p in phrases}
        return {p: n for p, n in counts.items() if n}
    firsts = {p[0] for p in phrases}
    starts: dict[str, list[int]] = {}
    for i, term in enumerate(terms):
        if term in firsts:
            starts.setdefault(term, []).append(i)
    out: dict[Phrase, int] = {}
    for phrase in phrases:
        at = starts.get(phrase[0])
        if not at:
            continue
        size = len(phrase)
        n = len(at) if size == 1 else sum(tuple(terms[i : i + size]) == phrase for i in at)
        if n:
            out[phrase] = n
    return out


def bm25(
    counts: dict[Phrase, int], weights: dict[Phrase, float], length: int, average: float
) -> float:
    """The score of a passage of `length` terms holding the phrases `counts` times."""
    norm = K1 * (1 - B + B * length / max(average, 1.0))
    return sum(weights[p] * n * (K1 + 1) / (n + norm) for p, n in counts.items())
