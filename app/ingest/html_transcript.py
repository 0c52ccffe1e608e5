"""Podcasting 2.0 HTML transcripts: `<cite>Name:</cite> <time>0:00</time> <p>text</p>` repeated
(the namespace's transcript spec); also `<p><time>0:00</time> text</p>`. Read with the standard
library's HTML parser, which never fetches or expands anything."""

from html.parser import HTMLParser

from app.ingest.transcript import (
    Segment,
    Transcript,
    TranscriptError,
    check_order,
    clean_text,
    parse_clock,
)

_SKIPPED = {"script", "style", "head", "title"}


class _Paragraphs(HTMLParser):
    """Collects (start, speaker, text, line) for each paragraph that follows a `<time>`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[Segment] = []
        self.speaker: str | None = None
        self.start: float | None = None
        self.inside: str | None = None  # cite, time or p
        self.skipping = 0
        self.buffer: list[str] = []
        self.words: list[str] = []
        self.paragraph_line = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag in ("cite", "time"):
            self.inside, self.buffer = tag, []
        elif tag == "p":
            self._close_paragraph()
            self.inside, self.words = "p", []
            self.paragraph_line = self.getpos()[0]

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "cite" and self.inside == "cite":
            name = clean_text("".join(self.buffer)).rstrip(":").strip()
            self.speaker = name or None
            self.inside = None
        elif tag == "time" and self.inside == "time":
            self.start = parse_clock(clean_text("".join(self.buffer)))
            self.inside = None
        elif tag == "p":
            self._close_paragraph()

    def _in_paragraph(self) -> bool:
        return self.paragraph_line > 0

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.inside in ("cite", "time"):
            self.buffer.append(data)
        elif self._in_paragraph():
            self.words.append(data)

    def _close_paragraph(self) -> None:
        if not self._in_paragraph():
            return
        text = clean_text("".join(self.words))
        if text and self.start is not None:
            self.found.append(
                Segment(start=self.start, text=text, speaker=self.speaker, line=self.paragraph_line)
            )
        self.paragraph_line, self.words, self.inside = 0, [], None


def read_html_transcript(text: str) -> Transcript:
    parser = _Paragraphs()
    parser.feed(text)
    parser.close()
    parser._close_paragraph()
    segments = parser.found
    if not segments:
        raise TranscriptError(
            "no timed paragraphs found (a Podcasting 2.0 HTML transcript has "
            "<time>0:00</time> before each <p>)",
            1,
        )
    check_order(segments)
    speakers = list(dict.fromkeys(s.speaker for s in segments if s.speaker))
    return Transcript(segments=segments, format="html", speakers=speakers)
