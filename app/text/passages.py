"""Passages: overlapping windows of words over a talk's segments, and word -> time mapping.

A window of PASSAGE_WORDS words starts every PASSAGE_STRIDE words, so any phrase of up to
PASSAGE_WORDS - PASSAGE_STRIDE words lies wholly inside at least one passage.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

PASSAGE_WORDS = 60
PASSAGE_STRIDE = 40
MAX_PHRASE_WORDS = PASSAGE_WORDS - PASSAGE_STRIDE
LINE_SECONDS = 10.0  # a segment shorter than this is a caption line: its words share its start
WORDS_PER_SECOND = 2.5  # used only when a last long turn has no end time


class TimedSegment(Protocol):
    start: float
    end: float | None
    word_offset: int
    word_count: int
    word_times: str | None


@dataclass(frozen=True, slots=True)
class PassageSpan:
    word_start: int
    word_end: int
    first_segment: int  # index into the talk's segments
    last_segment: int


def passage_spans(segment_word_counts: Sequence[int]) -> list[PassageSpan]:
    """Word windows over a talk whose segments hold these many words each."""
    offsets = []
    total = 0
    for count in segment_word_counts:
        offsets.append(total)
        total += count
    if total == 0:
        return []
    spans = []
    start = 0
    while True:
        end = min(start + PASSAGE_WORDS, total)
        spans.append(
            PassageSpan(start, end, _segment_at(offsets, start), _segment_at(offsets, end - 1))
        )
        if end >= total:
            return spans
        start += PASSAGE_STRIDE


def _segment_at(offsets: list[int], word: int) -> int:
    """Index of the segment holding `word` (binary search over first-word offsets)."""
    lo, hi = 0, len(offsets) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if offsets[mid] <= word:
            lo = mid
        else:
            hi = mid - 1
    return lo


@lru_cache(maxsize=4096)
def aligned_times(encoded: str) -> tuple[float, ...]:
    return tuple(json.loads(encoded))


def word_time(segment: TimedSegment, next_start: float | None, word_index: int) -> float:
    """When the segment's `word_index`-th word is spoken.

    A segment aligned with a timed transcript knows each word's second. Otherwise: caption
    lines are short, so the line's start is the moment; inside a long turn the time is
    interpolated by word position between the turn's start and the next turn's start.
    """
    if segment.word_times:
        times = aligned_times(segment.word_times)
        if times:
            return times[min(max(word_index, 0), len(times) - 1)]
    if word_index <= 0 or segment.word_count <= 1:
        return segment.start
    if next_start is not None and next_start <= segment.start:
        return segment.start  # the next turn starts in the same second: no room to spread
    stop = next_start if next_start is not None else segment.end
    if stop is None or stop <= segment.start:
        stop = segment.start + segment.word_count / WORDS_PER_SECOND
    if stop - segment.start <= LINE_SECONDS:
        return segment.start
    fraction = min(word_index, segment.word_count) / segment.word_count
    return segment.start + fraction * (stop - segment.start)
