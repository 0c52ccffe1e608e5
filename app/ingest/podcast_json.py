"""Podcasting 2.0 JSON transcripts (`{"version", "segments": [{"speaker", "startTime",
"endTime", "body"}]}`, the podcast namespace's format). Hosts often write one word a segment:
consecutive segments of one speaker are joined into caption-length lines, each starting when
its first word is said."""

from typing import Any

from app.ingest.bounds import checked_seconds
from app.ingest.transcript import Segment, TranscriptError, clean_text

LINE_WORDS = 12  # a line ends after this many words, as caption lines do ...
LINE_GAP_SECONDS = 1.5  # ... or where the speaker pauses this long, or the speaker changes


def is_podcast_segment(item: Any) -> bool:
    return isinstance(item, dict) and "body" in item and "startTime" in item


def podcast_segments(items: list[Any], lines: list[int]) -> list[Segment]:
    segments: list[Segment] = []
    words = 0
    for i, item in enumerate(items):
        line = lines[i] if i < len(lines) else None
        if not is_podcast_segment(item):
            raise TranscriptError(f"segment {i + 1} lacks 'startTime' or 'body'", line)
        body = clean_text(str(item["body"] or ""))
        if not body:
            continue
        start = _seconds(item["startTime"], "startTime", i, line)
        end = _seconds(item["endTime"], "endTime", i, line) if item.get("endTime") else None
        speaker = clean_text(str(item["speaker"])) if item.get("speaker") else None
        last = segments[-1] if segments else None
        joins = (
            last is not None
            and last.speaker == speaker
            and words < LINE_WORDS
            and start - (last.end if last.end is not None else last.start) < LINE_GAP_SECONDS
        )
        if joins:
            assert last is not None
            last.text = f"{last.text} {body}"
            last.end = end if end is not None else last.end
            words += len(body.split())
        else:
            segments.append(Segment(start=start, end=end, text=body, speaker=speaker, line=line))
            words = len(body.split())
    return segments


def _seconds(value: Any, name: str, index: int, line: int | None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TranscriptError(f"segment {index + 1}: '{name}' is not a number", line)
    try:
        number = float(value)
    except ValueError:
        raise TranscriptError(f"segment {index + 1}: '{name}' is not a number", line) from None
    return checked_seconds(number, f"segment {index + 1}: '{name}'", line)
