"""Snippets and moments for a hit: the passage's words laid over its segments' text, HTML-escaped
with <mark> around matched words, and the time of the first matched word."""

import html
import re
from dataclasses import dataclass

from app.search.analysis import word_spans
from app.search.passages import word_time
from app.search.ranking import Span

CONTEXT_WORDS = 12
MAX_SNIPPET_WORDS = 45


@dataclass(frozen=True, slots=True)
class SegmentRow:
    ord: int
    start: float
    end: float | None
    speaker: str | None
    text: str
    word_offset: int
    word_count: int


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
) -> Moment:
    """`segments` cover the passage in order; `matched` are passage-relative word spans."""
    words = []  # (segment index, (start, end)) for every word of the passage's segments
    for i, seg in enumerate(segments):
        for span in word_spans(seg.text):
            words.append((i, span))
    first_word = segments[0].word_offset
    rel = passage_word_start - first_word  # passage word 0 in `words`
    marked = {rel + k for span in matched for k in range(span.start, span.end)}
    m_start, m_end = rel + matched[0].start, rel + matched[-1].end
    m_start = min(max(m_start, 0), len(words) - 1)
    m_end = min(max(m_end, m_start + 1), len(words))

    lo = max(0, m_start - CONTEXT_WORDS)
    hi = min(len(words), max(m_end + CONTEXT_WORDS, lo + 2 * CONTEXT_WORDS))
    hi = min(hi, lo + max(MAX_SNIPPET_WORDS, m_end - lo))

    seg_i, _ = words[m_start]
    seg = segments[seg_i]
    following = segments[seg_i + 1].start if seg_i + 1 < len(segments) else next_start
    index_in_segment = m_start - (seg.word_offset - first_word)
    start = word_time(seg, following, index_in_segment)
    end_seg_i, _ = words[m_end - 1]
    end_seg = segments[end_seg_i]
    end_next = segments[end_seg_i + 1].start if end_seg_i + 1 < len(segments) else next_start
    end = end_seg.end if end_seg.end is not None else end_next

    html_parts: list[str] = []
    text_parts: list[str] = []

    def add(piece: str) -> None:
        html_parts.append(html.escape(piece))
        text_parts.append(piece)

    prev_seg, prev_end = None, 0
    for pos in range(lo, hi):
        i, (start_at, end_at) = words[pos]
        text = segments[i].text
        if prev_seg is None:
            add(_edge(text[:start_at], leading=True))
        elif i == prev_seg:
            add(text[prev_end:start_at])
        else:  # the rest of the previous line, then the start of this one
            add(segments[prev_seg].text[prev_end:] + " " + text[:start_at])
        word = text[start_at:end_at]
        text_parts.append(word)
        html_parts.append(
            f"<mark>{html.escape(word)}</mark>" if pos in marked else html.escape(word)
        )
        prev_seg, prev_end = i, end_at
    if prev_seg is not None:
        add(_edge(segments[prev_seg].text[prev_end:], leading=False))
    snippet = "".join(html_parts)
    plain = "".join(text_parts)
    if lo > 0:
        snippet, plain = "… " + snippet, "… " + plain
    if hi < len(words):
        snippet, plain = snippet + " …", plain + " …"
    return Moment(
        start=round(start, 2),
        end=round(end, 2) if end is not None else None,
        speaker=seg.speaker,
        text=plain,
        snippet=snippet,
    )


def _edge(text: str, leading: bool) -> str:
    """Punctuation touching the first or last word ("“If", "together.”"), not the next word."""
    return re.search(r"\S*$", text).group() if leading else re.match(r"\S*", text).group()  # type: ignore[union-attr]
