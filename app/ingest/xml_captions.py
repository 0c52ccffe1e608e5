"""YouTube's XML captions: the timedtext format (`<transcript><text start="1.2" dur="3">`, what
the watch page's transcript and older tools save) and srv3 (`<timedtext format="3"><body><p
t="1200" d="3000">`, what `yt-dlp --sub-format srv3` writes). Parsed with defusedxml, so no
entity expansion, external entity or DTD is ever followed. Also TTML / DFXP (`<tt><body><div><p
begin="00:00:01.160" end="…">`, what `yt-dlp --sub-format ttml` and broadcasters write)."""

import html
import re
from typing import Any

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from app.ingest.transcript import Segment, Transcript, TranscriptError, check_order, clean_text


def parse_safe_xml(text: str) -> Any:
    """The document's root element; no entity, external entity or DTD is followed (a
    TranscriptError naming the line when the XML is not well formed)."""
    try:
        return ElementTree.fromstring(text)
    except DefusedXmlException as exc:
        raise TranscriptError(f"XML with entities or a DTD is not read: {exc}") from None
    except ElementTree.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise TranscriptError(f"not valid XML: {exc}", line) from None


def read_xml_captions(text: str) -> Transcript:
    root = parse_safe_xml(text)
    segments: list[Segment] = []
    if root.tag == "transcript":
        for node in root.iter("text"):
            segments += _segment(node.get("start"), node.get("dur"), 1.0, node)
    elif root.tag == "timedtext":
        for node in root.iter("p"):
            segments += _segment(node.get("t"), node.get("d"), 0.001, node)
    elif _local(root.tag) == "tt":
        segments = _ttml_segments(root)
    else:
        raise TranscriptError(
            f"XML of <{_local(root.tag)}>, not captions (YouTube's <transcript> or <timedtext>, "
            "or TTML's <tt>)",
            1,
        )
    if not segments:
        raise TranscriptError("no timed captions found", 1)
    check_order(segments)
    return Transcript(segments=segments, format="xml")


def _local(tag: str) -> str:
    """`{http://www.w3.org/ns/ttml}tt` -> `tt`."""
    return tag.rsplit("}", 1)[-1]


_TTML_CLOCK = re.compile(r"^(\d+):(\d{2}):(\d{2})(?:\.(\d+)|:(\d+(?:\.\d+)?))?$")
_TTML_OFFSET = re.compile(r"^(\d+(?:\.\d+)?)(h|ms|m|s|f|t)$")


def _ttml_seconds(value: str | None, frame_rate: float, tick_rate: float) -> float | None:
    """A TTML time expression: clock time (`01:02:03.5`, `01:02:03:12` frames) or an offset
    (`3.5s`, `1200ms`, `2m`, `1h`, `90f`, `10000000t`)."""
    text = (value or "").strip()
    clock = _TTML_CLOCK.match(text)
    if clock:
        hours, minutes, seconds, fraction, frames = clock.groups()
        total = int(hours) * 3600 + int(minutes) * 60 + int(seconds)
        if fraction:
            total += int(fraction) / 10 ** len(fraction)
        if frames:
            total += float(frames) / frame_rate
        return float(total)
    offset = _TTML_OFFSET.match(text)
    if not offset:
        return None
    number, unit = float(offset.group(1)), offset.group(2)
    scale = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001, "f": 1 / frame_rate}
    return number * scale[unit] if unit in scale else number / tick_rate


def _ttml_rate(root: object, name: str, default: float) -> float:
    for key, value in root.attrib.items():  # type: ignore[attr-defined]
        if _local(key) == name:
            try:
                rate = float(value.split()[0])
            except (ValueError, IndexError):
                return default
            return rate if rate > 0 else default
    return default


def _ttml_segments(root: object) -> list[Segment]:
    frame_rate = _ttml_rate(root, "frameRate", 30.0)
    tick_rate = _ttml_rate(root, "tickRate", 1.0)
    segments: list[Segment] = []
    for node in root.iter():  # type: ignore[attr-defined]
        if _local(node.tag) != "p":
            continue
        begin = _ttml_seconds(node.get("begin"), frame_rate, tick_rate)
        if begin is None:
            continue
        end = _ttml_seconds(node.get("end"), frame_rate, tick_rate)
        if end is None:
            length = _ttml_seconds(node.get("dur"), frame_rate, tick_rate)
            end = begin + length if length is not None else None
        parts = [node.text or ""]
        for child in node.iter():
            if child is not node:
                parts.append(" " if _local(child.tag) == "br" else (child.text or ""))
                parts.append(child.tail or "")
        body = clean_text("".join(parts))
        if body:
            segments.append(Segment(start=begin, end=end, text=body))
    return segments


def _segment(start: str | None, length: str | None, scale: float, node: object) -> list[Segment]:

    try:
        begin = float(start or "") * scale
    except ValueError:
        return []
    try:
        end = begin + float(length or "") * scale
    except ValueError:
        end = None
    # timedtext escapes its text twice (&amp;#39;): once by XML, once more here
    body = clean_text(html.unescape("".join(node.itertext())))  # type: ignore[attr-defined]
    return [Segment(start=begin, end=end, text=body)] if body else []
