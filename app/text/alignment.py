"""Word alignment of two transcripts of one talk: a better-worded one (an edited transcript, one
time per 30-90 s turn) against a better-timed one (automatic captions, a time per 1-3 s line).

The words of both, as index terms (case, accents and inflection folded), are aligned by
Levenshtein edit operations over word sequences (rapidfuzz, in C): equal words and
one-for-one substitutions (a misheard word) are anchors; every other word gets a time
interpolated between the anchors around it, so a missing stretch of captions or extra words in
either text shift nothing else. Times never go backwards.
"""

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz.distance import Indel, Levenshtein

WORDS_PER_SECOND = 2.5  # speaking rate, only to extrapolate past the first or last anchor
MAX_MATCH_SECONDS = 10.0  # a substitution this far from its neighbours' times is not an anchor
# a stretch said otherwise, between two stretches said alike, is a substitution ("team sword"
# for "Timsort", "go to cargo" for "go to Kaggle") when neither side is longer than this
MAX_SUBSTITUTED_WORDS = 4


@dataclass(frozen=True)
class Alignment:
    """`times[i]`: the second the i-th better-worded word is said; `timed_of[i]`: the index of
    the timed word it was aligned to, or -1."""

    times: list[float]
    timed_of: list[int]

    def worded_of(self, timed_count: int) -> list[int]:
        """For each timed word, the better-worded word aligned to it, or -1."""
        out = [-1] * timed_count
        for i, j in enumerate(self.timed_of):
            if j >= 0:
                out[j] = i
        return out


def align(worded: Sequence[str], timed: Sequence[str], timed_times: Sequence[float]) -> Alignment:
    """Times for the `worded` words from the `timed` words said at `timed_times`."""
    pairs = [-1] * len(worded)
    if worded and timed:
        for op in Levenshtein.opcodes(list(worded), list(timed)):
            if op.tag == "equal" or (
                op.tag == "replace" and op.src_end - op.src_start == op.dest_end - op.dest_start
            ):
                for k in range(op.src_end - op.src_start):
                    pairs[op.src_start + k] = op.dest_start + k
    _drop_outliers(pairs, timed_times)
    return Alignment(_interpolate(pairs, timed_times, len(worded)), pairs)


def _drop_outliers(pairs: list[int], timed_times: Sequence[float]) -> None:
    """An anchor whose time jumps away from both neighbours' is a chance match: dropped."""
    anchored = [i for i, j in enumerate(pairs) if j >= 0]
    for k in range(1, len(anchored) - 1):
        before, here, after = (timed_times[pairs[anchored[k + d]]] for d in (-1, 0, 1))
        if here - before > MAX_MATCH_SECONDS and here - after > MAX_MATCH_SECONDS:
            pairs[anchored[k]] = -1


def _interpolate(pairs: list[int], timed_times: Sequence[float], n: int) -> list[float]:
    anchors = [(i, timed_times[j]) for i, j in enumerate(pairs) if j >= 0]
    if not anchors:
        return [i / WORDS_PER_SECOND for i in range(n)]
    positions = [i for i, _ in anchors]
    times = []
    for i in range(n):
        k = bisect_right(positions, i)  # anchors at or before word i
        if k == 0:  # before the first anchor
            first, t = anchors[0]
            value = max(t - (first - i) / WORDS_PER_SECOND, 0.0)
        else:
            (i0, t0) = anchors[k - 1]
            if i0 == i:
                value = t0
            elif k == len(anchors):  # after the last anchor
                value = t0 + (i - i0) / WORDS_PER_SECOND
            else:
                i1, t1 = anchors[k]
                value = t0 + (t1 - t0) * (i - i0) / (i1 - i0)
        times.append(value)
    for i in range(1, n):  # an anchor out of order never sends time backwards
        times[i] = max(times[i], times[i - 1])
    return times


def counterparts(worded: Sequence[str], timed: Sequence[str]) -> list[tuple[int, int]]:
    """For each timed word, the worded words that stand for it, as a range [lo, hi): its
    equal word, or the whole of a short substituted stretch between words both texts share
    ("team sword" -> "Timsort"); an empty range for a word the other text does not have.

    The texts may overlap only in part (two passages of one talk): their common words are
    found as a longest common subsequence (Indel), so a stretch one text has and the other
    lacks stays unpaired, where an edit script with substitutions would pair it, word for
    word, with whatever the other text holds at its other end."""
    out = [(0, 0)] * len(timed)
    ops = Indel.opcodes(list(worded), list(timed))
    equal = [op for op in ops if op.tag == "equal"]
    for op in equal:
        for j in range(op.dest_start, op.dest_end):
            k = op.src_start + (j - op.dest_start)
            out[j] = (k, k + 1)

    for before, after in zip(equal, equal[1:], strict=False):
        worded_gap = (before.src_end, after.src_start)
        timed_gap = (before.dest_end, after.dest_start)
        sizes = (worded_gap[1] - worded_gap[0], timed_gap[1] - timed_gap[0])
        if 0 < min(sizes) and max(sizes) <= MAX_SUBSTITUTED_WORDS:
            for j in range(*timed_gap):
                out[j] = worded_gap
    return out
