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


Pos = tuple[int, int]  # a span as (start, end): plain tuples keep the per-passage work cheap


def term_positions(terms: list[str], wanted: set[str]) -> dict[str, list[int]]:
    """Where each wanted term occurs in a passage: built once, shared by every clause."""
    positions: dict[str, list[int]] = {}
    for i in [i for i, term in enumerate(terms) if term in wanted]:
        positions.setdefault(terms[i], []).append(i)
    return positions


def wanted_terms(must: tuple[Match, ...]) -> set[str]:
    return {alt for clause in must for t in flat_terms(clause) for alt in t.alternatives}


def clause_spans(clause: Match, positions: dict[str, list[int]]) -> list[Pos]:
    """Where the clause matches, in order."""
    if isinstance(clause, Terms):
        alts = clause.alternatives
        if len(alts) == 1:
            return [(i, i + 1) for i in positions.get(alts[0], ())]
        return [(i, i + 1) for i in sorted({i for alt in alts for i in positions.get(alt, ())})]
    if isinstance(clause, Phrase):
        n = len(clause.parts)
        starts: set[int] | None = None
        for k, part in enumerate(clause.parts):
            here = {i - k for alt in part.alternatives for i in positions.get(alt, ())}
            starts = here if starts is None else starts & here
            if not starts:
                return []
        return [(i, i + n) for i in sorted(starts or ())]
    if isinstance(clause, AllOf):  # scored as its parts; here: where any part is
        return sorted({s for item in clause.items for s in clause_spans(item, positions)})
    assert isinstance(clause, Either)
    return sorted({s for option in clause.options for s in clause_spans(option, positions)})


def _best_window(found: list[list[Pos]]) -> Pos:
    """Smallest window holding one span of every clause that matched (sweep over positions);
    the earliest of equally small ones."""
    if len(found) == 1:
        return min(found[0], key=lambda s: (s[1] - s[0], s[0]))
    events = sorted((s, e, k) for k, spans in enumerate(found) for s, e in spans)
    need = len(found)
    last: dict[int, Pos] = {}
    best: Pos | None = None
    for start, end, k in events:
        last[k] = (start, end)
        if len(last) == need:
            lo = min(s for s, _ in last.values())
            hi = max(e for _, e in last.values())
            if best is None or hi - lo < best[1] - best[0]:
                best = (lo, hi)
    assert best is not None
    return best


def score_passage(
    passage_id: int,
    terms: list[str],
    must: tuple[Match, ...],
    bm25_norm: float,
    wanted: set[str] | None = None,
) -> PassageScore | None:
    positions = term_positions(terms, wanted if wanted is not None else wanted_terms(must))
    if not positions:
        return None
    per_clause = [clause_spans(c, positions) for c in must]
    found = [spans for spans in per_clause if spans]
    if not found:
        return None
    coverage = len(found) / len(must)
    lo, hi = _best_window(found)
    # every occurrence of a query word inside the window is marked ("go far go together")
    matched = sorted({s for spans in found for s in spans if lo <= s[0] and s[1] <= hi})
    words_matched = len({i for s, e in matched for i in range(s, e)})
    compact = words_matched / max(hi - lo, 1)
    order = _in_order(per_clause, lo, hi)
    score = (
        COVERAGE_WEIGHT * coverage
        + ORDER_WEIGHT * order
        + COMPACT_WEIGHT * compact
        + BM25_WEIGHT * bm25_norm
    )
    return PassageScore(
        passage_id, score, coverage, Span(lo, hi), [Span(s, e) for s, e in matched], order, compact
    )


def _in_order(per_clause: list[list[Pos]], lo: int, hi: int) -> float:
    """Share of consecutive query clauses that follow each other closely inside the window."""
    if len(per_clause) < 2:
        return 1.0 if per_clause and per_clause[0] else 0.0
    pairs = 0
    for a, b in zip(per_clause, per_clause[1:], strict=False):
        ends = {e for s, e in a if lo <= s and e <= hi}
        if ends and any(lo <= s < hi and any(0 <= s - e < ORDER_GAP for e in ends) for s, _ in b):
            pairs += 1
    return pairs / (len(per_clause) - 1)
