"""BM25 of a passage for a set of query terms, computed in Python from its stored terms.

FTS5's own `bm25()` weighs each query term by reading that term's whole posting list before it
scores the first row: 3-8 ms for a common word at 1,000 hours however few rows match. When a
query's matches are few, the engine fetches them unscored and scores them here instead, with the
same formula and constants as FTS5 (k1 = 1.2, b = 0.75, idf floored at 1e-6).
"""

import math
from collections import Counter
from collections.abc import Iterable

K1 = 1.2
B = 0.75
MIN_IDF = 1e-6


def idf(passages_with_term: int, passage_count: int) -> float:
    """FTS5's inverse document frequency of a term held by `passages_with_term` passages."""
    value = math.log((passage_count - passages_with_term + 0.5) / (passages_with_term + 0.5))
    return max(value, MIN_IDF)


def bm25(terms: list[str], weights: dict[str, float], average_length: float) -> float:
    """The passage's score for the query terms weighted by `weights` (term -> idf)."""
    counts = Counter(t for t in terms if t in weights)
    if not counts:
        return 0.0
    norm = K1 * (1 - B + B * len(terms) / max(average_length, 1.0))
    return sum(weights[t] * n * (K1 + 1) / (n + norm) for t, n in counts.items())


def weights(
    terms: Iterable[str], passages_with: dict[str, int], passage_count: int
) -> dict[str, float]:
    return {t: idf(passages_with.get(t, 0), passage_count) for t in terms}
