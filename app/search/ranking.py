"""Scores a candidate passage against the query in Python: how many clauses it holds, how close
together and in what order, then the engine's BM25. Also finds the best window, whose first
word is the moment a hit points at."""

from dataclasses import dataclass

from app.search.plan import AllOf, Either, Match, Terms, flat_terms
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
    order: float = 0.0  # share of consecutive query clauses found next to each other, in order
    compact: float = 0.0  # matched words / window length
    talk_id: int = 0  # where the passage sits, set by the caller that read it
    word_start: int = 0

    @property
    def is_quote(self) -> bool:
        """Every clause found, in order, close together: the query reads as this passage."""
        return self.coverage == 1.0 and self.order == 1.0 and self.compact >= 0.75


def term_positions(terms: list[str], wanted: set[str]) -> dict[str, list[int]]:
    """Where each wanted term occurs in a passage: built once, shared by every clause."""
    positions: dict[str, list[int]] = {}
    for i, term in enumerate(terms):
        if term in wanted:
            positions.setdefault(term, []).append(i)
    return positions


def wanted_terms(must: tuple[Match, ...]) -> set[str]:
    return {alt for clause in must for t in flat_terms(clause) for alt in t.alternatives}


def clause_spans(clause: Match, positions: dict[str, list[int]]) -> list[Span]:
    if isinstance(clause, Terms):
        found = [i for alt in clause.alternatives for i in positions.get(alt, ())]
        return [Span(i, i + 1) for i in sorted(set(found))]
    if isinstance(clause, Phrase):
        n = len(clause.parts)
        starts: set[int] | None = None
        for k, part in enumerate(clause.parts):
            here = {i - k for alt in part.alternatives for i in positions.get(alt, ())}
            starts = here if starts is None else starts & here
            if not starts:
                return []
        return [Span(i, i + n) for i in sorted(starts or ())]
    if isinstance(clause, AllOf):  # scored as its parts; here: where any part is
        spans = {s for item in clause.items for s in clause_spans(item, positions)}
        return sorted(spans)
    assert isinstance(clause, Either)
    spans = {s for option in clause.options for s in clause_spans(option, positions)}
    return sorted(spans)


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
    passage_id: int,
    terms: list[str],
    must: tuple[Match, ...],
    bm25_norm: float,
    wanted: set[str] | None = None,
) -> PassageScore | None:
    positions = term_positions(terms, wanted if wanted is not None else wanted_terms(must))
    per_clause = [clause_spans(c, positions) for c in must]
    hits = sum(1 for spans in per_clause if spans)
    if hits == 0:
        return None
    coverage = hits / len(must)
    window, _ = _best_window(per_clause)
    # every occurrence of a query word inside the window is marked ("go far go together")
    matched = sorted(
        {
            s
            for spans in per_clause
            for s in spans
            if window.start <= s.start and s.end <= window.end
        }
    )
    words_matched = len({i for s in matched for i in range(s.start, s.end)})
    compact = words_matched / max(window.end - window.start, 1)
    order = _in_order(per_clause, window)
    score = (
        COVERAGE_WEIGHT * coverage
        + ORDER_WEIGHT * order
        + COMPACT_WEIGHT * compact
        + BM25_WEIGHT * bm25_norm
    )
    return PassageScore(passage_id, score, coverage, window, matched, order, compact)


def _in_order(per_clause: list[list[Span]], window: Span) -> float:
    """Share of consecutive query clauses that follow each other closely inside the window."""
    if len(per_clause) < 2:
        return 1.0 if per_clause and per_clause[0] else 0.0
    pairs = 0
    for a, b in zip(per_clause, per_clause[1:], strict=False):
        ends = {s.end for s in a if window.start <= s.start and s.end <= window.end}
        if any(
            window.start <= s.start < window.end and any(0 <= s.start - e < ORDER_GAP for e in ends)
            for s in b
        ):
            pairs += 1
    return pairs / (len(per_clause) - 1)
