"""JSON transcripts: Whisper output (`{"segments": [{start, end, text}]}`), YouTube transcript
lists (`[{text, start, duration}]`) and plain lists of `{start, end?, speaker?, text}`."""

import json
import re
from typing import Any

from app.ingest.bounds import checked_seconds
from app.ingest.cloud_json import known_shape
from app.ingest.podcast_json import is_podcast_segment, podcast_segments
from app.ingest.transcript import (
    Segment,
    Transcript,
    TranscriptError,
    check_order,
    clean_text,
    parse_clock,
)
from app.ingest.word_times import by_word_times

_SEGMENTS_KEY = re.compile(r'"segments"\s*:\s*\[')


def read_json(text: str) -> Transcript:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TranscriptError(f"not valid JSON: {exc.msg}", exc.lineno) from exc
    except RecursionError as exc:
        raise TranscriptError("JSON nested too deeply") from exc
    except ValueError as exc:  # a number of thousands of digits
        raise TranscriptError(f"not valid JSON: {exc}".split(";")[0]) from exc
    shaped = known_shape(data)
    if shaped is not None:
        name, found = shaped
        if not found:
            raise TranscriptError(f"a {name} file with no timed text", 1)
        found.sort(key=lambda s: s.start)
        return Transcript(segments=found, format="json")
    meta: dict[str, Any] = {}
    if isinstance(data, dict):
        items = data.get("segments")
        if not isinstance(items, list) and isinstance(data.get("chapters"), list):
            raise TranscriptError(
                "a chapters file, not a transcript: name it <transcript's name>.chapters.json "
                "beside its transcript",
                1,
            )
        if not isinstance(items, list):
            raise TranscriptError(
                "expected a list of segments, or an object with a 'segments' list", 1
            )
        meta = data
        m = _SEGMENTS_KEY.search(text)
        array_at = m.end() - 1 if m else None
    elif isinstance(data, list):
        items = data
        array_at = text.index("[")
    else:
        raise TranscriptError("expected a list of segments, or an object with a 'segments' list", 1)
    lines = _element_lines(text, array_at) if array_at is not None else []
    segments = []
    if items and is_podcast_segment(items[0]):
        segments = podcast_segments(items, lines)
    for i, item in enumerate(items if not segments else []):
        line = lines[i] if i < len(lines) else None
        seg = _segment(item, i, line)
        if seg.text:
            segments.extend(by_word_times(seg, item.get("words")))
    if not segments:
        raise TranscriptError("no segments with text found", 1)
    check_order(segments)
    title = meta.get("title") if isinstance(meta.get("title"), str) else None
    return Transcript(segments=segments, format="json", title=title)


def _number(value: Any, name: str, index: int, line: int | None) -> float:
    if isinstance(value, bool):
        raise TranscriptError(f"segment {index + 1}: '{name}' is not a number", line)
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        clock = parse_clock(value)
        try:
            number = clock if clock is not None else float(value)
        except ValueError:
            raise TranscriptError(
                f"segment {index + 1}: '{name}' is not a number: {value[:30]!r}", line
            ) from None
    else:
        raise TranscriptError(f"segment {index + 1}: '{name}' is not a number", line)
    return checked_seconds(number, f"segment {index + 1}: '{name}'", line)


def _segment(item: Any, index: int, line: int | None) -> Segment:
    if not isinstance(item, dict):
        raise TranscriptError(f"segment {index + 1} is not an object", line)
    if "text" not in item or "start" not in item:
        raise TranscriptError(f"segment {index + 1} lacks 'start' or 'text'", line)
    text = item["text"]
    if not isinstance(text, str):
        raise TranscriptError(f"segment {index + 1}: 'text' is not a string", line)
    start = _number(item["start"], "start", index, line)
    end = None
    if item.get("end") is not None:
        end = _number(item["end"], "end", index, line)
    elif item.get("duration") is not None:
        end = start + _number(item["duration"], "duration", index, line)
    speaker = item.get("speaker")
    speaker = clean_text(str(speaker)) if isinstance(speaker, str | int) and speaker != "" else None
    return Segment(start=start, end=end, text=clean_text(text), speaker=speaker, line=line)


def _element_lines(text: str, array_at: int) -> list[int]:
    """1-based line of each element of the JSON array whose '[' is at `array_at`."""
    decoder = json.JSONDecoder()
    ws = re.compile(r"[\s,]*")
    pos = array_at + 1
    lines: list[int] = []
    line, counted_to = 1, 0
    while True:
        pos = ws.match(text, pos).end()
        if pos >= len(text) or text[pos] == "]":
            return lines
        line += text.count("\n", counted_to, pos)
        counted_to = pos
        lines.append(line)
        try:
            _, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            return lines
