"""BM25 of a passage for a query's phrases, computed in Python from its stored terms.

FTS5's own `bm25()` weighs each phrase of the query by reading that phrase's whole posting list
before it scores the first row: 3-8 ms for a common word at 1,000 hours however few rows match.
When a query's matches are few, the engine fetches them unscored and scores them here, with
FTS5's formula and constants (k1 = 1.2, b = 0.75, idf floored at 1e-6), and as FTS5 does, each
phrase — one word, or several words in a row — is weighed by how many passages hold it.
"""

import functools
import math
from collections.abc import Iterable

K1 = 1.2
B = 0.75
MIN_IDF = 1e-6

Phrase = tuple[str, ...]  # index terms in a row: one term for a plain word


def idf(passages_with_phrase: int, passage_count: int) -> float:
    """FTS5's inverse document frequency of a phrase held by `passages_with_phrase` passages."""
    value = math.log((passage_count - passages_with_phrase + 0.5) / (passages_with_phrase + 0.5))
    return max(value, MIN_IDF)


def occurrences(stored: str, phrases: Iterable[Phrase]) -> dict[Phrase, int]:
    """How often each phrase occurs in a passage's stored terms (one space between terms).

    Counted with `str.count` on the text with its spaces doubled (so that two instances side
    by side do not share the space between them): four times faster than splitting the
    terms and walking them. A phrase that can overlap itself ("a b a") is counted on the
    split terms, as `str.count` would miss its overlapping instances."""
    spaced = f"  {stored.replace(' ', '  ')}  "
    out: dict[Phrase, int] = {}
    split: list[str] | None = None
    for phrase in phrases:
        pattern = _pattern(phrase)
        if pattern is None:
            split = split if split is not None else stored.split(" ")
            n = _instances(split, phrase)
        else:
            n = spaced.count(pattern)
        if n:
            out[phrase] = n
    return out


def length(stored: str) -> int:
    """The number of terms in a passage's stored terms."""
    return stored.count(" ") + 1


@functools.lru_cache(maxsize=4096)
def _pattern(phrase: Phrase) -> str | None:
    """The phrase as found in the doubled-space text; None for a phrase that can overlap
    itself."""
    if any(phrase[-k:] == phrase[:k] for k in range(1, len(phrase))):
        return None
    return f" {'  '.join(phrase)} "


def _instances(terms: list[str], phrase: Phrase) -> int:
    size = len(phrase)
    first = phrase[0]
    return sum(
        1 for i, term in enumerate(terms) if term == first and tuple(terms[i : i + size]) == phrase
    )


def bm25(
    counts: dict[Phrase, int], weights: dict[Phrase, float], length: int, average: float
) -> float:
    """The score of a passage of `length` terms holding the phrases `counts` times."""
    norm = K1 * (1 - B + B * length / max(average, 1.0))
    return sum(weights[p] * n * (K1 + 1) / (n + norm) for p, n in counts.items())
