"""SubRip (.srt) through the `srt` library; markup such as <i> and {\\an8} is stripped."""

import html
import re

import srt

from app.ingest.speaker_labels import apply_speaker_labels
from app.ingest.transcript import Segment, Transcript, TranscriptError, check_order, clean_text

# [^<>], [^{}]: a run of '<' (or '{\') never closed would take quadratic time with [^>]
_MARKUP = re.compile(r"<[^<>]*>|\{\\[^{}]*\}")


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def read_srt(text: str) -> Transcript:
    try:
        subtitles = list(srt.parse(text))
    except srt.SRTParseError as exc:
        raise TranscriptError(
            f"not valid SRT: {text[exc.expected_start : exc.actual_start][:60]!r}",
            _line_of(text, exc.expected_start),
        ) from exc
    except (ValueError, OverflowError) as exc:
        raise TranscriptError(f"not valid SRT: {exc}") from exc
    segments = []
    for sub in sorted(subtitles, key=lambda s: s.start):
        body = clean_text(html.unescape(_MARKUP.sub(" ", sub.content)))
        if body:
            segments.append(
                Segment(start=sub.start.total_seconds(), end=sub.end.total_seconds(), text=body)
            )
    if not segments:
        raise TranscriptError("no subtitles found", 1)
    check_order(segments)
    apply_speaker_labels(segments)
    return Transcript(segments=segments, format="srt")
