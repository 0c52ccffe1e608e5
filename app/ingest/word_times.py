"""A segment whose words carry their own times (Whisper's `words`, whisper-timestamped,
WhisperX, Deepgram and AssemblyAI) is split where a sentence ends, the speaker pauses or
another speaker starts, each part starting at its first word: a hit then lands on its words'
second, not several seconds early at the start of a long segment."""

from typing import Any, NamedTuple

from app.ingest.transcript import Segment, clean_text

MAX_WORDS = 16  # a part this long is cut at the next word even without a pause
PAUSE_SECONDS = 0.8  # a silence this long between two words starts a new part
_TEXT_KEYS = ("punctuated_word", "word", "text")


class TimedWord(NamedTuple):
    text: str
    start: float
    end: float | None
    speaker: str | None  # a diarised word's speaker ("Speaker 0")


def by_word_times(segment: Segment, words: Any, scale: float = 1.0) -> list[Segment]:
    """`segment` in parts by its `words` ([{word|text|punctuated_word, start, end, speaker?}],
    times times `scale`); the segment whole when its words are missing, untimed or out of
    order."""
    return _split(segment, timed_words(words, scale))


def _split(segment: Segment, timed: list[TimedWord]) -> list[Segment]:
    if len(timed) < 2:
        return [segment]
    parts: list[list[TimedWord]] = [[]]
    for i, word in enumerate(timed):
        parts[-1].append(word)
        following = timed[i + 1] if i + 1 < len(timed) else None
        if following is None:
            break
        paused = word.end is not None and following.start - word.end >= PAUSE_SECONDS
        ended = word.text.endswith((".", "?", "!"))
        if ended or paused or following.speaker != word.speaker or len(parts[-1]) >= MAX_WORDS:
            parts.append([])
    out = []
    for part in parts:
        body = clean_text(" ".join(w.text for w in part))
        if body:
            who = part[0].speaker or segment.speaker
            out.append(Segment(part[0].start, body, part[-1].end, who, segment.line))
    return out or [segment]


def timed_words(words: Any, scale: float = 1.0) -> list[TimedWord]:
    """The words with their times (seconds), or [] when any is untimed or out of order."""
    if not isinstance(words, list):
        return []
    timed: list[TimedWord] = []
    for word in words:
        if not isinstance(word, dict):
            return []
        text = next((word[k] for k in _TEXT_KEYS if isinstance(word.get(k), str)), None)
        start, end = word.get("start"), word.get("end")
        if text is None or not _finite(start) or (timed and start * scale < timed[-1].start):
            return []  # an untimed word (WhisperX leaves digits so) or one out of order
        who = word.get("speaker")
        speaker = f"Speaker {who}" if isinstance(who, int | str) and who != "" else None
        finish = end * scale if _finite(end) else None
        timed.append(TimedWord(text.strip(), start * scale, finish, speaker))
    return timed


def from_words(words: Any, scale: float = 1.0) -> list[Segment]:
    """Segments made of timed words alone (a transcript without utterances or segments)."""
    timed = timed_words(words, scale)
    if not timed:
        return []
    whole = Segment(timed[0].start, " ".join(w.text for w in timed), timed[-1].end)
    return _split(whole, timed)


def _finite(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and value == value
        and abs(value) < 1e9
    )
