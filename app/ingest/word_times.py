"""A segment whose words carry their own times (Whisper's `words`, whisper-timestamped,
WhisperX, Deepgram and AssemblyAI utterances) is split where a sentence ends or the speaker
pauses, each part starting at its first word: a hit then lands on its words' second, not
several seconds early at the start of a long segment."""

from typing import Any

from app.ingest.transcript import Segment, clean_text

MAX_WORDS = 16  # a part this long is cut at the next word even without a pause
PAUSE_SECONDS = 0.8  # a silence this long between two words starts a new part
_TEXT_KEYS = ("punctuated_word", "word", "text")


def by_word_times(segment: Segment, words: Any, scale: float = 1.0) -> list[Segment]:
    """`segment` in parts by its `words` ([{word|text|punctuated_word, start, end}], times
    times `scale`); the segment whole when its words are missing, untimed or out of order."""
    timed = _timed_words(words, scale)
    if len(timed) < 2:
        return [segment]
    parts: list[list[tuple[str, float, float | None]]] = [[]]
    for i, word in enumerate(timed):
        parts[-1].append(word)
        text, _start, end = word
        following = timed[i + 1] if i + 1 < len(timed) else None
        if following is None:
            break
        paused = end is not None and following[1] - end >= PAUSE_SECONDS
        if text.endswith((".", "?", "!")) or paused or len(parts[-1]) >= MAX_WORDS:
            parts.append([])
    out = []
    for part in parts:
        body = clean_text(" ".join(text for text, _, _ in part))
        if body:
            start, end = part[0][1], part[-1][2]
            out.append(Segment(start, body, end, segment.speaker, segment.line))
    return out or [segment]


def _timed_words(words: Any, scale: float) -> list[tuple[str, float, float | None]]:
    if not isinstance(words, list):
        return []
    timed: list[tuple[str, float, float | None]] = []
    for word in words:
        if not isinstance(word, dict):
            return []
        text = next((word[k] for k in _TEXT_KEYS if isinstance(word.get(k), str)), None)
        start, end = word.get("start"), word.get("end")
        if text is None or not _finite(start) or (timed and start * scale < timed[-1][1]):
            return []  # an untimed word (WhisperX leaves digits so) or one out of order
        timed.append((text.strip(), start * scale, end * scale if _finite(end) else None))
    return timed


def _finite(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and value == value
        and abs(value) < 1e9
    )
