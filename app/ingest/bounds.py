"""What the archive accepts from a file, whatever its format: finite times within a week,
metadata and segments of bounded length, no control characters. One hostile or broken file gets
one line naming the field (and the line where the reader knew it) instead of a page that fails
for everyone, a talk of 70 MB, or a search that reads a 50 MB caption line."""

import math
import re

from app.ingest.transcript import Transcript, TranscriptError

MAX_SECONDS = 7 * 24 * 3600  # a week: longer than any recording, far below "centuries"
MAX_SEGMENT_CHARS = 200_000  # about three hours of one speaker without a timestamp
MAX_TITLE_CHARS = 500
MAX_NAME_CHARS = 200  # a talk's speaker's name, a topic
# a turn's `who`: real exports put whole sentences there (740 characters in the shared corpus)
MAX_TURN_SPEAKER_CHARS = 2_000
MAX_DESCRIPTION_CHARS = 20_000
MAX_LIST_ITEMS = 200  # speakers or topics of one talk
MAX_CHAPTERS = 5_000
# C0 controls but tab and newline, DEL and the C1 block: never text, and PostgreSQL refuses NUL
_SPACES = re.compile(" {2,}")
_CONTROLS = dict.fromkeys([c for c in range(32) if c not in (9, 10)] + list(range(127, 160)), " ")


def checked_seconds(value: float, what: str, line: int | None = None) -> float:
    """`value` if it is a time the archive can hold, else the error naming `what`."""
    if not math.isfinite(value):
        raise TranscriptError(f"{what} is not a finite number ({value})", line)
    if value < 0:
        raise TranscriptError(f"{what} is negative ({value:g})", line)
    if value > MAX_SECONDS:
        raise TranscriptError(f"{what} is {value:g} s, more than a week", line)
    return value


def checked_text(value: str, what: str, limit: int, line: int | None = None) -> str:
    """`value` without control characters, if at most `limit` characters long."""
    if len(value) > limit:
        raise TranscriptError(
            f"{what} is {len(value):,} characters long; at most {limit:,} are allowed", line
        )
    if value.isprintable():
        return value
    return _SPACES.sub(" ", value.translate(_CONTROLS)).strip(" ")


def vet(transcript: Transcript) -> None:
    """Checks (and cleans of control characters) every time and text a reader returned."""
    for i, seg in enumerate(transcript.segments):
        where = f"segment {i + 1}" if seg.line is None else "segment"
        seg.start = checked_seconds(seg.start, f"{where} start", seg.line)
        if seg.end is not None:
            seg.end = checked_seconds(seg.end, f"{where} end", seg.line)
        seg.text = checked_text(seg.text, f"{where} text", MAX_SEGMENT_CHARS, seg.line)
        if seg.speaker is not None:
            seg.speaker = checked_text(
                seg.speaker, f"{where} speaker", MAX_TURN_SPEAKER_CHARS, seg.line
            )

    if len(transcript.chapters) > MAX_CHAPTERS:
        raise TranscriptError(f"{len(transcript.chapters):,} chapters; at most {MAX_CHAPTERS:,}")
    for i, chapter in enumerate(transcript.chapters):
        chapter.start = checked_seconds(chapter.start, f"chapter {i + 1} start")
        chapter.title = checked_text(chapter.title, f"chapter {i + 1} title", MAX_TITLE_CHARS)
    if transcript.duration is not None:
        transcript.duration = checked_seconds(transcript.duration, "duration")
    vet_metadata(transcript)


def vet_metadata(transcript: Transcript, source: str = "") -> None:
    """The talk's metadata fields; `source` names where they came from (a sidecar)."""
    prefix = f"{source} " if source else ""
    if transcript.title is not None:
        transcript.title = checked_text(transcript.title, f"{prefix}title", MAX_TITLE_CHARS)
    if transcript.description is not None:
        transcript.description = checked_text(
            transcript.description, f"{prefix}description", MAX_DESCRIPTION_CHARS
        )
    for field in ("speakers", "topics"):
        values: list[str] = getattr(transcript, field)
        if len(values) > MAX_LIST_ITEMS:
            raise TranscriptError(f"{prefix}{field}: {len(values):,}; at most {MAX_LIST_ITEMS}")
        setattr(
            transcript,
            field,
            [checked_text(v, f"{prefix}{field[:-1]}", MAX_NAME_CHARS) for v in values],
        )
    for field in ("slug", "talk_key", "youtube_id"):
        value = getattr(transcript, field)
        if value is not None:
            setattr(transcript, field, checked_text(value, f"{prefix}{field}", MAX_NAME_CHARS))
    for field in ("video_url", "media_url"):
        value = getattr(transcript, field)
        if value is not None:
            setattr(transcript, field, checked_text(value, f"{prefix}{field}", 2_000))
