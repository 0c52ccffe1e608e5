"""YouTube's XML captions: the timedtext format (`<transcript><text start="1.2" dur="3">`, what
the watch page's transcript and older tools save) and srv3 (`<timedtext format="3"><body><p
t="1200" d="3000">`, what `yt-dlp --sub-format srv3` writes). Parsed with defusedxml, so no
entity expansion, external entity or DTD is ever followed."""

import html

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from app.ingest.transcript import Segment, Transcript, TranscriptError, check_order, clean_text


def read_xml_captions(text: str) -> Transcript:
    try:
        root = ElementTree.fromstring(text)
    except DefusedXmlException as exc:
        raise TranscriptError(f"XML with entities or a DTD is not read: {exc}") from None
    except ElementTree.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise TranscriptError(f"not valid XML: {exc}", line) from None
    segments: list[Segment] = []
    if root.tag == "transcript":
        for node in root.iter("text"):
            segments += _segment(node.get("start"), node.get("dur"), 1.0, node)
    elif root.tag == "timedtext":
        for node in root.iter("p"):
            segments += _segment(node.get("t"), node.get("d"), 0.001, node)
    else:
        raise TranscriptError(
            f"XML of <{root.tag}>, not YouTube's captions (<transcript> or <timedtext>)", 1
        )
    if not segments:
        raise TranscriptError("no timed captions found", 1)
    check_order(segments)
    return Transcript(segments=segments, format="xml")


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
