"""Which reader a file needs, from its extension and, when that says little, its content;
and the decoding of its bytes to text."""

import codecs
import unicodedata
from collections.abc import Callable
from pathlib import Path

from app.ingest.episode_md import read_episode
from app.ingest.html_transcript import read_html_transcript
from app.ingest.json_file import read_json
from app.ingest.srt_file import read_srt
from app.ingest.text_captions import read_text_captions
from app.ingest.transcript import Transcript, TranscriptError
from app.ingest.vtt_file import read_vtt
from app.ingest.xml_captions import read_xml_captions

Reader = Callable[[str, Path], Transcript]

TRANSCRIPT_SUFFIXES = {
    ".txt",
    ".srt",
    ".vtt",
    ".json",
    ".md",
    ".markdown",
    ".text",
    ".captions",
    ".xml",
    ".srv1",
    ".srv3",
    ".ttml",
    ".dfxp",
    ".html",
    ".htm",
    ".rss",
}


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252/Latin-1; in NFC, so
    a word written decomposed (macOS tools: "nai" + U+0308 + "ve") is one word, as typed."""
    return unicodedata.normalize("NFC", _decode(data))


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise TranscriptError(f"invalid UTF-16 at byte {exc.start}") from exc
    if b"\x00" in data[:4096]:
        utf16 = _utf16_without_bom(data)
        if utf16 is None:
            raise TranscriptError("binary file (NUL bytes), not a transcript")
        return utf16.replace("\r\n", "\n").replace("\r", "\n")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _utf16_without_bom(data: bytes) -> str | None:
    """Text whose every other byte is NUL is UTF-16 (mostly ASCII) without a byte order mark."""
    head = data[:4096]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    for encoding, zeros, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros.count(0) > 0.9 * len(zeros) and other.count(0) < 0.1 * len(other):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    return None


def reader_for(path: Path, text: str) -> Reader:
    suffix = path.suffix.lower()
    head = text.lstrip("\ufeff \t\n")[:200]
    if suffix == ".srt":
        return lambda t, _p: read_srt(t)
    if suffix in (".xml", ".srv1", ".srv3", ".ttml", ".dfxp") or head.startswith(("<?xml", "<tt")):
        return lambda t, _p: read_xml_captions(t)
    if suffix in (".html", ".htm") or head.lower().startswith(("<cite", "<time", "<!doctype html")):
        return lambda t, _p: read_html_transcript(t)

    if suffix == ".vtt" or head.startswith("WEBVTT"):
        return lambda t, _p: read_vtt(t)
    if suffix in (".md", ".markdown") or head.startswith("---"):
        return read_episode
    if suffix == ".json" or head[:1] == "{" or head[:2].replace(" ", "") == "[{":
        return lambda t, _p: read_json(t)
    if _looks_like_srt(head):
        return lambda t, _p: read_srt(t)
    return lambda t, _p: read_text_captions(t)


def _looks_like_srt(head: str) -> bool:
    lines = head.splitlines()
    return len(lines) >= 2 and lines[0].strip().isdigit() and "-->" in lines[1]


FORMATS_TABLE = """\
Formats read by `talks ingest` (a folder is walked; one talk per recording):
  .srt                 SubRip (any tool; 'Name:' speaker labels kept)
  .vtt                 WebVTT (YouTube, yt-dlp, Zoom, Whisper; <v Name> and 'Name:' speakers)
  .json                Whisper / whisper-timestamped / WhisperX, Podcasting 2.0 JSON, Deepgram,
                       AssemblyAI, AWS Transcribe, YouTube json3, youtube-transcript-api
  .xml .srv1 .srv3     YouTube timedtext / srv3 captions
  .ttml .dfxp          TTML / DFXP captions (yt-dlp --sub-format ttml, broadcasters)
  .html .htm           Podcasting 2.0 HTML transcripts (<cite>, <time>, <p>)
  .txt .text .captions '1:23 text' lines, Otter / Rev / Descript exports ('Name  0:03' turns)
  .md .markdown        Markdown episodes with YAML front matter
  .xml .rss or https:// a podcast RSS feed: each episode's <podcast:transcript>, chapters, persons
Beside a transcript: <name>.yaml / .yml / .json (metadata), yt-dlp's <name>.info.json,
<name>.chapters.json (Podcasting 2.0 chapters). Renderings of one recording in several formats
(Whisper's .json .vtt .srt .tsv .txt) are read once, from the richest."""
