"""What every reader returns: a Transcript of timed segments, chapters and metadata."""

import datetime as dt
import re
from dataclasses import dataclass, field


class TranscriptError(Exception):
    """A file that cannot be read; `line` is 1-based, or None when no line is to blame."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass
class Segment:
    start: float
    text: str
    end: float | None = None
    speaker: str | None = None
    # where the file says it, when the reader knows (for errors); not part of the segment's value
    line: int | None = field(default=None, compare=False, repr=False)


@dataclass
class Chapter:
    title: str
    start: float


@dataclass
class Transcript:
    segments: list[Segment]
    format: str
    chapters: list[Chapter] = field(default_factory=list)
    title: str | None = None
    speakers: list[str] = field(default_factory=list)
    date: dt.date | None = None
    description: str | None = None
    topics: list[str] = field(default_factory=list)
    youtube_id: str | None = None
    video_url: str | None = None
    media_url: str | None = None
    duration: float | None = None
    slug: str | None = None
    talk_key: str | None = None  # transcripts with the same key are one talk


_SPACE = re.compile(r"\s+")
_TIME = re.compile(r"^(?:(\d{1,3}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?$")


def clean_text(text: str) -> str:
    """Collapse whitespace (captions wrap lines anywhere) and trim."""
    return _SPACE.sub(" ", text).strip()


def base_language(code: str) -> str:
    """ "pt-BR", "en_US", "en-orig" -> "pt", "en", "en": the language without its variant."""
    return re.split(r"[-_]", code, maxsplit=1)[0].lower()


def parse_clock(value: str) -> float | None:
    """`M:SS`, `H:MM:SS`, `HH:MM:SS.mmm` or `,mmm` to seconds; None when it is not a clock time."""
    m = _TIME.match(value.strip())
    if not m:
        return None
    hours, minutes, seconds, frac = m.groups()
    if int(seconds) >= 60 or (hours is not None and int(minutes) >= 60):
        return None
    total = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    if frac:
        total += int(frac) / (10 ** len(frac))
    return float(total)


def check_order(segments: list[Segment]) -> None:
    """Segments must not start before the one before them (a sign of a mangled file)."""
    for i in range(1, len(segments)):
        if segments[i].start + 1e-6 < segments[i - 1].start:
            raise TranscriptError(
                f"timestamp {segments[i].start:g}s goes back before {segments[i - 1].start:g}s "
                f"(segment {i + 1})"
            )
