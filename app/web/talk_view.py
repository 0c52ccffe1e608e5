"""What the talk page and /api/talks/<slug> show of a talk: its transcripts (best-worded
first), the segments of the one chosen, and the quote's words marked near the moment."""

import html
import re
from bisect import bisect_right
from dataclasses import dataclass

from markupsafe import Markup, escape

from app.models import Segment, Talk
from app.models import Transcript as TranscriptModel
from app.store.lead import lead_order
from app.text.analysis import WORD_RE, content_terms, normalize, stem, terms
from app.text.passages import aligned_times

MARK_BEFORE = 5.0  # seconds around the moment in which the quote's words are marked
MARK_AFTER = 30.0
MARK_NEAR = 15.0  # inside a long turn with word times: words said this soon after the moment


@dataclass
class TalkView:
    talk: Talk
    transcripts: list[TranscriptModel]  # best-worded first
    chosen: TranscriptModel | None
    segments: list[Segment]


def talk_view(talk: Talk, transcripts: list[TranscriptModel], wanted: str | None) -> TalkView:
    """The talk with the transcript `wanted` (a kind), else its leading one."""
    ordered = lead_order(transcripts)
    lead_id = talk.segments[0].transcript_id if talk.segments else None
    ordered.sort(key=lambda r: r.id != lead_id)  # the talk's own leading text first
    chosen = next((r for r in ordered if r.kind == wanted), ordered[0] if ordered else None)
    if chosen is None or len(ordered) == 1:
        segments = list(talk.segments)
    else:
        segments = [s for s in talk.segments if s.transcript_id == chosen.id]
    return TalkView(talk, ordered, chosen, segments)


def current_index(segments: list[Segment], t: float | None) -> int | None:
    """The segment said at second `t` (segments start in order)."""
    if t is None:
        return None
    found = bisect_right(segments, t + 0.5, key=lambda seg: seg.start) - 1
    return found if found >= 0 else None


def marked_text(segment: Segment, terms: frozenset[str], t: float | None) -> Markup:
    """The segment's text HTML-escaped, with <mark> around the words whose index term is in
    `terms`; in a segment with aligned word times, only those said near second `t`."""
    times = aligned_times(segment.word_times) if segment.word_times else ()
    positions = {
        k
        for k, word in enumerate(WORD_RE.findall(segment.text))
        if _said_near(times, k, t) and stem(normalize(word)) in terms
    }
    return marked_words(segment, positions)


def _said_near(times: tuple[float, ...], k: int, t: float | None) -> bool:
    """Whether a segment's k-th word, said at `times` (aligned word times, or none), is said
    near second `t`: always, when the segment has no word times or there is no moment."""
    return (
        not times or t is None or t - MARK_BEFORE <= times[min(k, len(times) - 1)] <= t + MARK_NEAR
    )


_MARKED = re.compile(r"<mark>(.*?)</mark>")


def marked_sequence(snippet: str) -> list[str]:
    """The index terms of the words a hit's snippet marks, in order ("team sword" found in
    the captions and shown as "Timsort": ["timsort"])."""
    return [t for m in _MARKED.findall(snippet) for t in terms(html.unescape(m))]


def quote_marks(
    segments: list[Segment], current: int | None, t: float | None, sequence: list[str]
) -> dict[int, set[int]]:
    """The words to mark for a hit opened at second `t`: the hit's marked words where they
    stand together, in order, nearest the moment (the shortest stretch of the mark window
    holding them all) -- the very words its snippet marked, not every word of the paragraph
    sharing a term with the query. {segment index: word indexes}; empty when not found."""
    if current is None or t is None or not sequence:
        return {}
    said: list[tuple[int, int, str]] = []  # segment index, word index, term
    for i in range(current, len(segments)):
        seg = segments[i]
        if not in_mark_window(seg, t, i == current):
            break
        times = aligned_times(seg.word_times) if seg.word_times else ()
        for k, word in enumerate(WORD_RE.findall(seg.text)):
            if _said_near(times, k, t):
                said.append((i, k, stem(normalize(word))))
    best: list[int] | None = None
    for first, (_, _, term) in enumerate(said):
        if term != sequence[0]:
            continue
        picked, want = [first], 1
        for at in range(first + 1, len(said)):
            if want == len(sequence):
                break
            if said[at][2] == sequence[want]:
                picked.append(at)
                want += 1
        if want == len(sequence) and (best is None or picked[-1] - picked[0] < best[-1] - best[0]):
            best = picked
    marks: dict[int, set[int]] = {}
    for at in best or ():
        i, k, _ = said[at]
        marks.setdefault(i, set()).add(k)
    return marks


def marked_words(segment: Segment, positions: set[int]) -> Markup:
    """The segment's text HTML-escaped, with <mark> around its words at `positions`."""
    text = segment.text
    out, at = [], 0
    for k, m in enumerate(WORD_RE.finditer(text)):
        if k in positions:
            out.append(escape(text[at : m.start()]))
            out.append(Markup("<mark>") + escape(m.group()) + Markup("</mark>"))
            at = m.end()
    out.append(escape(text[at:]))
    return Markup("").join(out)


def marked_terms(snippet: str) -> set[str]:
    """The index terms of the words a hit's snippet marks."""
    return {t for m in _MARKED.findall(snippet) for t in content_terms(html.unescape(m))}


def quote_terms(q: str | None) -> frozenset[str]:
    return frozenset(content_terms(q)) if q else frozenset()


def in_mark_window(segment: Segment, t: float | None, current: bool) -> bool:
    """Whether to mark the quote in this segment: the one said at `t`, and those just after."""
    return t is not None and (current or t - MARK_BEFORE <= segment.start <= t + MARK_AFTER)
