"""Scores a candidate passage against the query in Python: how many clauses it holds, how close
together and in what order, then the engine's BM25. Also finds the best window, whose first
word is the moment a hit points at."""

from dataclasses import dataclass

from app.search.plan import Either, Match, Terms
from app.search.plan import Sequence as Phrase

COVERAGE_WEIGHT = 100.0
ORDER_WEIGHT = 30.0
COMPACT_WEIGHT = 20.0
BM25_WEIGHT = 10.0
ORDER_GAP = 3  # consecutive query words this close, in order, count as "in order"


@dataclass(frozen=True, slots=True, order=True)
class Span:
    start: int
    end: int  # exclusive


@dataclass(slots=True)
class PassageScore:
    passage_id: int
    score: float
    coverage: float
    window: Span  # best window, in passage word positions
    matched: list[Span]  # the matched words inside the window


def clause_spans(clause: Match, terms: list[str]) -> list[Span]:
    if isinstance(clause, Terms):
        alts = set(clause.alternatives)
        return [Span(i, i + 1) for i, t in enumerate(terms) if t in alts]
    if isinstance(clause, Phrase):
        sets = [set(p.alternatives) for p in clause.parts]
        n = len(sets)
        return [
            Span(i, i + n)
            for i in range(len(terms) - n + 1)
            if all(terms[i + k] in sets[k] for k in range(n))
        ]
    assert isinstance(clause, Either)
    spans = {s for option in clause.options for s in clause_spans(option, terms)}
    return sorted(spans, key=lambda s: (s.start, s.end))


def _best_window(per_clause: list[list[Span]]) -> tuple[Span, list[Span]]:
    """Smallest window holding one span of every clause that matched (sweep over positions)."""
    found = [(i, spans) for i, spans in enumerate(per_clause) if spans]
    events = sorted((s.start, s.end, k) for k, (_, spans) in enumerate(found) for s in spans)
    need = len(found)
    last: dict[int, tuple[int, int]] = {}
    best: tuple[int, int, dict[int, tuple[int, int]]] | None = None
    for start, end, k in events:
        last[k] = (start, end)
        if len(last) == need:
            lo = min(s for s, _ in last.values())
            hi = max(e for _, e in last.values())
            if best is None or hi - lo < best[1] - best[0]:
                best = (lo, hi, dict(last))
    assert best is not None
    lo, hi, chosen = best
    return Span(lo, hi), sorted(Span(s, e) for s, e in chosen.values())


def score_passage(
    passage_id: int, terms: list[str], must: tuple[Match, ...], bm25_norm: float
) -> PassageScore | None:
    per_clause = [clause_spans(c, terms) for c in must]
    hits = sum(1 for spans in per_clause if spans)
    if hits == 0:
        return None
    coverage = hits / len(must)
    window, matched = _best_window(per_clause)
    words_matched = sum(s.end - s.start for s in matched)
    compact = words_matched / max(window.end - window.start, 1)
    order = _in_order(per_clause, window)
    score = (
        COVERAGE_WEIGHT * coverage
        + ORDER_WEIGHT * order
        + COMPACT_WEIGHT * compact
        + BM25_WEIGHT * bm25_norm
    )
    return PassageScore(passage_id, score, coverage, window, matched)


def _in_order(per_clause: list[list[Span]], window: Span) -> float:
    """Share of consecutive query clauses that follow each other closely inside the window."""
    if len(per_clause) < 2:
        return 0.0
    pairs = 0
    for a, b in zip(per_clause, per_clause[1:], strict=False):
        ends = {s.end for s in a if window.start <= s.start and s.end <= window.end}
        if any(
            window.start <= s.start < window.end and any(0 <= s.start - e < ORDER_GAP for e in ends)
            for s in b
        ):
            pairs += 1
    return pairs / (len(per_clause) - 1)
