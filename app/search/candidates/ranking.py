"""Scores a candidate passage against the query in Python: how many clauses it holds, how close
together and in what order, then the engine's BM25. Also finds the best window, whose first
word is the moment a hit points at."""

from collections.abc import Callable
from dataclasses import dataclass, field

from app.search.language.plan import AllOf, AnyOf, Match, Phrase, Terms, flat_terms
from app.text.analysis import STOP_WORDS, stem

COVERAGE_WEIGHT = 100.0
ORDER_WEIGHT = 30.0
COMPACT_WEIGHT = 20.0
BM25_WEIGHT = 10.0
# consecutive query words this close, in order, count as "in order" (_words spells out 3)
ORDER_GAP = 3
SOUND_CREDIT = 0.5  # a query word found only as caption words sounding like it counts at
# most half, less the less alike they are
STOP_TERMS = frozenset(stem(w) for w in STOP_WORDS)


@dataclass(frozen=True, slots=True, order=True)
class Span:
    start: int
    end: int  # exclusive


# one word's span at each place of a passage, made once: a span is immutable, and building a
# frozen one took 0.7 µs, a fifth of placing a quote's words in a passage
_WORD_SPANS = tuple(Span(i, i + 1) for i in range(256))


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
    bm25: float = 0.0  # the engine's raw score, kept to renormalise when the pool grows
    # caption words matched for the way they sound: their span and the query word they stand for
    sounds: list[tuple[Span, str]] = field(default_factory=list)
    by_sound: bool = False  # some query word is in this reading only by sound (it ranks lower)
    heard_whole: bool = False  # by sound: every query word held, some by sound
    matched_by: str = "words"  # "meaning": found near the query's vector; "both": both ways

    @property
    def spot(self) -> int:
        """The moment's word position in the talk: its window's first word."""
        return self.word_start + self.window.start

    @property
    def is_exact(self) -> bool:
        """Every clause found, next to each other and in order: the query word for word."""
        return self.coverage == 1.0 and self.order == 1.0 and self.compact == 1.0

    def renormalise(self, bm25_norm: float) -> None:
        """The same passage in a larger pool, whose BM25 range is different."""
        self.score = combined_score(self.coverage, self.order, self.compact, bm25_norm)

    @property
    def is_quote(self) -> bool:
        """Every clause found, in order, close together: the query reads as this passage."""
        return self.coverage == 1.0 and self._in_order_close

    @property
    def is_heard_quote(self) -> bool:
        """Every query word held, some only by sound, in order and close together: the query
        as the captions misheard it ("if you go to cattle they have tutorials")."""
        return self.heard_whole and self._in_order_close

    @property
    def _in_order_close(self) -> bool:
        """The words found stand in order, close together (a quote, if every one is found)."""
        return self.order == 1.0 and self.compact >= 0.75


def combined_score(coverage: float, order: float, compact: float, bm25_norm: float) -> float:
    return (
        COVERAGE_WEIGHT * coverage
        + ORDER_WEIGHT * order
        + COMPACT_WEIGHT * compact
        + BM25_WEIGHT * bm25_norm
    )


Pos = tuple[int, int]  # a span as (start, end): plain tuples keep the per-passage work cheap


def term_positions(terms: list[str], wanted: set[str]) -> dict[str, list[int]]:
    """Where each wanted term occurs in a passage: built once, shared by every clause."""
    positions: dict[str, list[int]] = {}
    for i in [i for i, term in enumerate(terms) if term in wanted]:
        positions.setdefault(terms[i], []).append(i)
    return positions


def wanted_terms(must: tuple[Match, ...]) -> set[str]:
    return {alt for clause in must for t in flat_terms(clause) for alt in t.alternatives}


@dataclass(frozen=True, slots=True)
class PlanTerms:
    """What placing a plan's words in a passage needs, worked out once per plan rather than
    once per passage: every term wanted, the clauses each term stands for (read, never
    changed), and whether a term stands for several."""

    wanted: set[str]
    owners: dict[str, list[int]]
    shared: bool


def plan_terms(must: tuple[Match, ...]) -> PlanTerms:
    """Owners are of single-word clauses: only a plan of plain words is placed by them."""
    owners: dict[str, list[int]] = {}
    for k, clause in enumerate(must):
        if isinstance(clause, Terms):
            for alt in dict.fromkeys(clause.alternatives):
                owners.setdefault(alt, []).append(k)
    shared = any(len(ks) > 1 for ks in owners.values())
    return PlanTerms(wanted_terms(must), owners, shared)


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
    assert isinstance(clause, AnyOf)
    return sorted({s for option in clause.options for s in clause_spans(option, positions)})


def _best_window(found: list[list[Pos]], order_of: Callable[[int, int], float]) -> Pos:
    """Smallest window holding one span of every clause that matched (sweep over positions);
    of equally small ones the best in order (`order_of`), then the earliest."""
    if len(found) == 1:
        return min(found[0], key=lambda s: (s[1] - s[0], s[0]))
    events = sorted((s, e, k) for k, spans in enumerate(found) for s, e in spans)
    need = len(found)
    last: dict[int, Pos] = {}
    best: Pos | None = None
    best_order = 0.0
    for start, end, k in events:
        last[k] = (start, end)
        if len(last) == need:
            lo = min(s for s, _ in last.values())
            hi = max(e for _, e in last.values())
            if best is None or hi - lo < best[1] - best[0]:
                best, best_order = (lo, hi), order_of(lo, hi)
            elif hi - lo == best[1] - best[0] and (lo, hi) != best and best_order < 1.0:
                order = order_of(lo, hi)
                if order > best_order:
                    best, best_order = (lo, hi), order
    assert best is not None
    return best


def score_passage(
    passage_id: int,
    terms: list[str],
    must: tuple[Match, ...],
    bm25_norm: float,
    prepared: PlanTerms | None = None,
    said: tuple[int, ...] = (),
) -> PassageScore | None:
    """`prepared`: plan_terms(must), when the caller places the plan in many passages. `said`:
    the clauses in the order the query said them, a word said twice twice (a quote is planned
    with each word once); empty: the clauses' own order."""
    if len(must) == 1 and isinstance(must[0], Terms):
        return _one_word(passage_id, terms, must[0], bm25_norm)
    prepared = prepared if prepared is not None else plan_terms(must)
    if all(isinstance(m, Terms) for m in must):
        return _words(passage_id, terms, must, bm25_norm, prepared, said)  # type: ignore[arg-type]
    positions = term_positions(terms, prepared.wanted)
    if not positions:
        return None
    per_clause = [clause_spans(c, positions) for c in must]
    found = [spans for spans in per_clause if spans]
    if not found:
        return None
    coverage = len(found) / len(must)
    lo, hi = _best_window(found, lambda lo, hi: _in_order(per_clause, lo, hi))
    # every occurrence of a query word inside the window is marked ("go far go together")
    matched = sorted({s for spans in found for s in spans if lo <= s[0] and s[1] <= hi})
    words_matched = len({i for s, e in matched for i in range(s, e)})
    compact = words_matched / max(hi - lo, 1)
    order = _in_order(per_clause, lo, hi)
    score = combined_score(coverage, order, compact, bm25_norm)
    spans = marked_spans(terms, [Span(s, e) for s, e in matched])
    return PassageScore(passage_id, score, coverage, Span(lo, hi), spans, order, compact)


def marked_spans(terms: list[str], matched: list[Span]) -> list[Span]:
    """The matched spans worth marking: a run of adjacent matched words made of stop words
    alone ("how", "to", "in") is dropped, unless nothing but stop words matched. The first
    marked word is the moment's start."""
    runs: list[list[Span]] = []
    for m in matched:
        if runs and runs[-1][-1].end >= m.start:
            runs[-1].append(m)
        else:
            runs.append([m])
    content = [
        any(terms[i] not in STOP_TERMS for m in run for i in range(m.start, m.end)) for run in runs
    ]
    if not any(content):
        return matched
    return [m for run, keep in zip(runs, content, strict=True) if keep for m in run]


def _worth_marking(terms: list[str], matched: int) -> int:
    """marked_spans on a mask of matched words: a run of adjacent ones made of stop words alone
    is dropped, unless nothing but stop words matched."""
    kept = 0
    rest = matched
    while rest:
        run = ((rest + (rest & -rest)) ^ rest) & rest  # the lowest run of adjacent words
        rest ^= run
        words = run
        while words:
            if terms[_lowest(words)] not in STOP_TERMS:
                kept |= run
                break
            words &= words - 1
    return kept or matched


def _one_word(
    passage_id: int, terms: list[str], word: Terms, bm25_norm: float
) -> PassageScore | None:
    """The common one-word query, scored without the general machinery: its window is the
    word's first occurrence, and coverage, order and compactness are all whole."""
    first = None
    for alt in word.alternatives:
        try:
            at = terms.index(alt)
        except ValueError:
            continue
        first = at if first is None else min(first, at)
    if first is None:
        return None
    span = Span(first, first + 1)
    return PassageScore(
        passage_id, combined_score(1.0, 1.0, 1.0, bm25_norm), 1.0, span, [span], 1.0, 1.0
    )


def _words(
    passage_id: int,
    terms: list[str],
    must: tuple[Terms, ...],
    bm25_norm: float,
    prepared: PlanTerms,
    said: tuple[int, ...] = (),
) -> PassageScore | None:
    """Several plain words (most queries): the general scoring, on bitmasks of positions
    (bit i set: the clause's word is the passage's i-th), which keeps it to a few integer
    operations per clause instead of Python loops over spans."""
    owners, shared = prepared.owners, prepared.shared
    masks = [0] * len(must)
    union = 0
    for i in [i for i, term in enumerate(terms) if term in owners]:
        union |= 1 << i
        for k in owners[terms[i]]:
            masks[k] |= 1 << i
    found = [m for m in masks if m]
    if not found:
        return None

    def order_in(lo: int, hi: int) -> float:
        """Share of consecutive clauses whose words follow each other in the window."""
        window = (1 << hi) - (1 << lo)
        pairs = 0
        for a, b in zip(masks, masks[1:], strict=False):
            a &= window
            # b within ORDER_GAP (3) words after a, both inside the window: the shifts are
            # spelled out (a loop was a tenth of placing a quote's words; a different gap
            # fails the test comparing this path with the general one)
            if a and ((a << 1) | (a << 2) | (a << 3)) & b & window:
                pairs += 1
        return pairs / (len(must) - 1)

    # smallest window holding a position of every clause found, of equal ones the best in
    # order ("network and what kind of network": the second), then the earliest: from each
    # position, the furthest of every clause's next occurrence
    narrowest = 1 if shared else len(found)  # no window can be narrower: stop when found
    lo, hi = 0, -1
    order = 0.0
    rest = union
    if not shared and len(found) == len(must):
        # the words as a phrase, as said, are the narrowest window and wholly in order (the
        # sweep below would stop there, unless a word is said twice: "this button you deploy
        # this change" is also "button you deploy this change", narrower and out of order):
        # its first occurrence, found with one mask per word
        sequence = said or range(len(masks))
        starts = -1
        for k, clause in enumerate(sequence):
            starts &= masks[clause] >> k
        if starts:
            lo = _lowest(starts)
            hi, order, rest = lo + len(sequence), 1.0, 0
    while rest:
        start = _lowest(rest)
        rest &= rest - 1
        end = start
        for m in found:
            ahead = m >> start
            if not ahead:
                end = -1
                break
            nearest = start + _lowest(ahead)
            if nearest > end:
                end = nearest
        if end < 0:
            break  # some clause has no occurrence from here on
        width = end + 1 - start
        if hi < 0 or width < hi - lo:
            lo, hi, order = start, end + 1, order_in(start, end + 1)
        elif width == hi - lo and order < 1.0:
            later = order_in(start, end + 1)
            if later > order:
                lo, hi, order = start, end + 1, later
        if hi - lo == narrowest and (order == 1.0 or len(found) == 1):
            break
    window = (1 << hi) - (1 << lo)
    inside = union & window
    compact = inside.bit_count() / (hi - lo)
    coverage = len(found) / len(must)
    score = combined_score(coverage, order, compact, bm25_norm)
    if inside == window and hi <= len(_WORD_SPANS):
        # every word of the window matched (a quote read word for word): one run of words,
        # which marked_spans would keep whole
        spans = list(_WORD_SPANS[lo:hi])
    else:
        spans = []
        marked = _worth_marking(terms, inside)
        while marked:
            i = _lowest(marked)
            marked &= marked - 1
            spans.append(_WORD_SPANS[i] if i < len(_WORD_SPANS) else Span(i, i + 1))
    return PassageScore(passage_id, score, coverage, Span(lo, hi), spans, order, compact)


def _lowest(mask: int) -> int:
    """The lowest position set in a non-empty mask."""
    return (mask & -mask).bit_length() - 1


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
