"""WebVTT through webvtt-py: voices become speakers, markup goes, and the rolling duplicated
lines of YouTube's automatic captions are collapsed so each spoken line appears once."""

import html
import re

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from app.ingest.speaker_labels import apply_speaker_labels
from app.ingest.transcript import (
    Segment,
    Transcript,
    TranscriptError,
    check_order,
    clean_text,
    parse_clock,
)

_TAG = re.compile(r"<[^<>]*>")  # not [^>]*: a run of '<' without '>' would take quadratic time
_ROLLING_CUE_SECONDS = 0.05  # YouTube's 10 ms "hold" cues between rolls


def read_vtt(text: str) -> Transcript:
    try:
        captions = webvtt.WebVTT.from_string(text)
    except (MalformedCaptionError, MalformedFileError) as exc:
        raise TranscriptError(f"not valid WebVTT: {exc}", _line_hint(exc)) from exc
    segments: list[Segment] = []
    recent: list[str] = []  # lines already emitted by the previous cues
    for cue in captions:
        start, end = parse_clock(cue.start), parse_clock(cue.end)
        if start is None:
            raise TranscriptError(f"malformed cue time {cue.start!r}")
        lines = [
            clean_text(html.unescape(_TAG.sub("", line))) for line in cue.raw_text.splitlines()
        ]
        fresh = [line for line in lines if line and line not in recent]
        if end is not None and end - start < _ROLLING_CUE_SECONDS and not fresh:
            continue
        recent = (recent + fresh)[-3:]
        if fresh:
            segments.append(
                Segment(start=start, end=end, text=" ".join(fresh), speaker=cue.voice or None)
            )
    if not segments:
        raise TranscriptError("no cues with text found", 1)
    check_order(segments)
    apply_speaker_labels(segments)
    return Transcript(segments=segments, format="vtt")


def _line_hint(exc: Exception) -> int | None:
    m = re.search(r"line (\d+)", str(exc))
    return int(m.group(1)) if m else None
