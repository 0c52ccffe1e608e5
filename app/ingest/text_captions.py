"""Timestamped caption text: `M:SS text`, `H:MM:SS text`, `[00:01:02] text`, `00:01:02.500 text`,
or a timestamp alone on a line followed by its text.

Hand-written because no maintained library reads these ad-hoc exports (YouTube's "show
transcript" copy, podcast-app exports); the grammar is one regular expression per line.
"""

import re

from app.ingest.speaker_labels import apply_speaker_labels
from app.ingest.transcript import Segment, Transcript, TranscriptError, clean_text, parse_clock

_STAMP = re.compile(
    r"^\s*[\[(]?(?P<clock>\d{1,3}:\d{1,2}(?::\d{1,2})?(?:[.,]\d{1,3})?)[\])]?"
    r"(?:\s*(?:-->|-|–)\s*[\[(]?\d{1,3}:\d{1,2}(?::\d{1,2})?(?:[.,]\d{1,3})?[\])]?)?"
    r"(?:\s+|$)(?P<text>.*)$"
)


_NEGATIVE = re.compile(r"^\s*[\[(]?-\d{1,3}:\d")
# a speaker's name and when the turn starts, alone on a line, the turn's text below:
# Otter ("Jane Doe  0:03"), Rev and Descript ("Jane Doe (00:03):" or "Jane Doe 00:03")
_TURN = re.compile(
    r"^(?P<name>[A-Z][\w'’.-]*(?:\s(?:[A-Z][\w'’.-]*|\d+)){0,4})(?:\s{2,}|\s+\(|\s+)"
    r"(?P<clock>\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)\)?:?\s*$"
)


def read_text_captions(text: str) -> Transcript:
    segments: list[Segment] = []
    parts: list[list[str]] = []  # each segment's lines, joined once at the end (linear)
    pending: Segment | None = None  # the segment whose text lines are being read
    first_stamp_line = None
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if _NEGATIVE.match(line):
            raise TranscriptError(f"negative timestamp {line.split()[0]!r}", lineno)
        turn = _TURN.match(line)
        if turn and parse_clock(turn["clock"]) is not None:
            seconds = parse_clock(turn["clock"]) or 0.0
            if segments and seconds + 1e-6 < segments[-1].start:
                raise TranscriptError(
                    f"timestamp {turn['clock']} goes back before {segments[-1].start:g}s", lineno
                )
            first_stamp_line = first_stamp_line or lineno
            if pending is not None and not any(parts[-1]):
                segments.pop()
                parts.pop()
            seg = Segment(start=seconds, text="", speaker=turn["name"].strip(), line=lineno)
            segments.append(seg)
            parts.append([])
            pending = seg
            continue
        m = _STAMP.match(line)
        if m:
            seconds = parse_clock(m["clock"])
            if seconds is None:
                raise TranscriptError(f"malformed timestamp {m['clock']!r}", lineno)
            if segments and seconds + 1e-6 < segments[-1].start:
                raise TranscriptError(
                    f"timestamp {m['clock']} goes back before {segments[-1].start:g}s", lineno
                )
            first_stamp_line = first_stamp_line or lineno
            body = clean_text(m["text"])
            seg = Segment(start=seconds, text=body, line=lineno)
            if pending is not None and not any(parts[-1]):
                segments.pop()  # a timestamp with no text at all
                parts.pop()
            segments.append(seg)
            parts.append([body])
            pending = seg
            continue
        if pending is None:
            if first_stamp_line is None and lineno > 20:
                break
            continue  # a header line before the first timestamp
        parts[-1].append(line)
    for seg, lines in zip(segments, parts, strict=True):
        seg.text = clean_text(" ".join(lines))
    if not segments:
        raise TranscriptError(f"no timestamped lines found: {_looks_like(text)}", 1)

    segments = [s for s in segments if s.text]
    if not segments:
        raise TranscriptError("timestamps found but no caption text", first_stamp_line)
    apply_speaker_labels(segments)  # "[00:00:03] Jane Doe: …" (Descript and similar exports)
    return Transcript(segments=segments, format="captions")


FORMATS_READ = (
    "captions as '1:23 text' lines, SubRip, WebVTT, Whisper, podcast and speech-to-text JSON, "
    "YouTube XML, TTML, podcast HTML, Markdown episodes, Otter/Rev text, RSS feeds "
    "(`talks ingest --formats` lists them)"
)


def _looks_like(text: str) -> str:
    """What a file that is no transcript seems to be, and what is read instead."""
    head = text.lstrip("\ufeff \t\n")[:200].lower()
    if head.startswith(("<!doctype html", "<html")):
        seems = "this looks like a web page"
    elif head.startswith("<?xml") or head.startswith("<rss"):
        seems = "this looks like XML of another kind"

    elif not head:
        seems = "the file is empty"
    else:
        seems = "this looks like text without times"
    return f"{seems}; read are {FORMATS_READ}"
