"""Snippets and moments for a hit: the passage's words laid over its segments' text, HTML-escaped
with <mark> around matched words, and the time of the first matched word."""

import html
import re
from dataclasses import dataclass
from itertools import islice

from app.search.candidates.ranking import Span
from app.store.base import SegmentRow
from app.text.analysis import WORD_RE
from app.text.passages import word_time

CONTEXT_WORDS = 12
MAX_SNIPPET_WORDS = 45


@dataclass(frozen=True, slots=True)
class Moment:
    start: float
    end: float | None
    speaker: str | None
    text: str  # plain snippet text
    snippet: str  # HTML


def build_moment(
    segments: list[SegmentRow],
    next_start: float | None,
    passage_word_start: int,
    matched: list[Span],
    mark: bool = True,
) -> Moment:
    """`segments` cover the passage in order; `matched` are passage-relative word spans.
    Without `mark` (a moment found by meaning), the snippet starts at the first matched word
    and nothing in it is marked.

    Only the words shown are located: a segment can be a whole turn of several hundred words,
    and tokenizing all of them for every hit was the slowest part of a search."""
    first_word = segments[0].word_offset
    n_words = sum(seg.word_count for seg in segments)
    rel = passage_word_start - first_word  # passage word 0, counted from the first segment
    m_start = min(max(rel + matched[0].start, 0), n_words - 1)
    m_end = min(max(rel + matched[-1].end, m_start + 1), n_words)
    lo = max(0, m_start - CONTEXT_WORDS) if mark else m_start
    hi = min(n_words, max(m_end + CONTEXT_WORDS, lo + 2 * CONTEXT_WORDS))
    hi = min(hi, lo + max(MAX_SNIPPET_WORDS, m_end - lo))
    groups = _locate(segments, first_word, lo, hi)  # (segment, its first shown word, spans)
    shown = sum(len(spans) for _, _, spans in groups)
    if shown < hi - lo:  # stored word counts disagree with the text: show what is there
        hi = lo + shown
        m_end = min(m_end, hi)
        m_start = min(m_start, hi - 1)
    marked = {rel + k for span in matched for k in range(span.start, span.end)} if mark else set()

    seg_i = _segment_of(groups, m_start)
    seg = segments[seg_i]
    following = _start_after(segments, seg_i, next_start)
    start = word_time(seg, following, m_start - (seg.word_offset - first_word))
    end_seg_i = _segment_of(groups, m_end - 1)
    end_seg = segments[end_seg_i]
    end = end_seg.end if end_seg.end is not None else _start_after(segments, end_seg_i, next_start)

    plain_parts: list[str] = []
    html_parts: list[str] = []
    last = len(groups) - 1
    for g, (i, first_pos, spans) in enumerate(groups):
        text = segments[i].text
        # the first shown word keeps the punctuation touching it; a later line starts whole
        begin = _touching_before(text, spans[0][0]) if g == 0 else 0
        stop = _touching_after(text, spans[-1][1]) if g == last else len(text)
        plain_parts.append(text[begin:stop])
        pieces, cursor = [], begin
        for pos in sorted(marked.intersection(range(first_pos, first_pos + len(spans)))):
            s, e = spans[pos - first_pos]
            pieces.append(html.escape(text[cursor:s]))
            pieces.append(f"<mark>{html.escape(text[s:e])}</mark>")
            cursor = e
        pieces.append(html.escape(text[cursor:stop]))
        html_parts.append("".join(pieces))
    snippet = " ".join(html_parts)
    plain = " ".join(plain_parts)
    if lo > 0:
        snippet, plain = "… " + snippet, "… " + plain
    if hi < n_words:
        snippet, plain = snippet + " …", plain + " …"
    return Moment(
        start=round(start, 2),
        end=round(end, 2) if end is not None else None,
        speaker=seg.speaker,
        text=plain,
        snippet=snippet,
    )


def _locate(
    segments: list[SegmentRow], first_word: int, lo: int, hi: int
) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """The words lo..hi-1 (counted from the first segment) by segment: the segment's index,
    the position of its first word shown, and the character spans of its words shown."""
    out: list[tuple[int, int, list[tuple[int, int]]]] = []
    for i, seg in enumerate(segments):
        at = seg.word_offset - first_word
        if at >= hi:
            break
        if at + seg.word_count <= lo or seg.word_count == 0:
            continue
        skip = max(lo - at, 0)
        begin = _after_words(seg.text, skip)
        if begin < 0:
            break  # the text holds fewer words than counted: show what was found
        found = islice(WORD_RE.finditer(seg.text, begin), min(hi - at, seg.word_count) - skip)
        spans = [m.span() for m in found]
        if spans:
            out.append((i, at + skip, spans))
        if len(spans) < min(hi - at, seg.word_count) - skip:
            break
    return out


def _start_after(segments: list[SegmentRow], i: int, next_start: float | None) -> float | None:
    """When the segment after segments[i] starts (`next_start` past the last one)."""
    return segments[i + 1].start if i + 1 < len(segments) else next_start


def _segment_of(groups: list[tuple[int, int, list[tuple[int, int]]]], pos: int) -> int:
    for i, first_pos, spans in groups:
        if first_pos <= pos < first_pos + len(spans):
            return i
    return groups[-1][0]


# n words and what precedes them, matched in C: the words before a snippet inside a long turn
# (hundreds of words) are skipped in blocks instead of one finditer match at a time. The word
# is atomic, so a block never splits one word in two to make up its count.
_SKIP_BLOCKS = {n: re.compile(rf"(?:[\W_]*+(?>{WORD_RE.pattern})){{{n}}}") for n in (64, 8, 1)}


def _after_words(text: str, n: int) -> int:
    """Character position just after the first `n` words of `text`; -1 if it has fewer."""
    pos = 0
    for size, block in _SKIP_BLOCKS.items():
        while n >= size:
            found = block.match(text, pos)
            if found is None:
                return -1
            pos, n = found.end(), n - size
    return pos


def _touching_before(text: str, at: int) -> int:
    """Where the punctuation touching the word at `at` begins ("“If"), not the word before."""
    while at > 0 and not text[at - 1].isspace():
        at -= 1
    return at


def _touching_after(text: str, end: int) -> int:
    """Where the punctuation touching the word ending at `end` ends ("together.”")."""
    while end < len(text) and not text[end].isspace():
        end += 1
    return end
