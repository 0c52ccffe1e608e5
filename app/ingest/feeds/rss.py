"""An RSS feed with the Podcasting 2.0 namespace: each item's title, date, description,
enclosure, `<podcast:transcript>`s, `<podcast:chapters>` and `<podcast:person>`s. Parsed with
defusedxml (no entity expansion, no DTD); a feed is a few hundred KiB, so plain XML is enough
where feedparser's other formats and sanitising are not needed."""

import datetime as dt
import email.utils
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

from app.ingest.transcript import TranscriptError, base_language, clean_text
from app.ingest.xml_captions import parse_safe_xml
from app.text.links import host_of

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
ATOM_NS = "http://www.w3.org/2005/Atom"
_P = "{" + PODCAST_NS + "}"

# Which transcript of an episode is read when it has several: the richest first
TRANSCRIPT_TYPES = {
    "application/json": ".json",
    "text/vtt": ".vtt",
    "application/x-subrip": ".srt",
    "application/srt": ".srt",
    "text/srt": ".srt",
    "text/html": ".html",
    "text/plain": ".txt",
}
_RICHEST_FIRST = [".json", ".vtt", ".srt", ".html", ".txt"]
# people credited for something else than speaking (podcast namespace's taxonomy groups)
_NOT_SPEAKING_GROUPS = {
    "visuals",
    "writing",
    "audio post-production",
    "video post-production",
    "administration",
    "misc.",
    "audio production",
    "video production",
}


@dataclass
class TranscriptLink:
    url: str
    suffix: str  # the extension its type gives: .json .vtt .srt .html .txt
    language: str | None = None


@dataclass
class Episode:
    guid: str
    title: str
    date: dt.date | None = None
    description: str | None = None
    link: str | None = None
    media_url: str | None = None
    transcripts: list[TranscriptLink] = field(default_factory=list)
    chapters_url: str | None = None
    speakers: list[str] = field(default_factory=list)

    def best_transcript(self, language: str | None) -> TranscriptLink | None:
        """The richest transcript in the feed's language (or of no stated language), else the
        richest of any language."""

        def rank(link: TranscriptLink) -> tuple[int, int]:
            same = (
                not link.language
                or not language
                or base_language(link.language) == base_language(language)
            )
            return (0 if same else 1, _RICHEST_FIRST.index(link.suffix))

        return min(self.transcripts, key=rank) if self.transcripts else None


@dataclass
class Feed:
    title: str
    language: str | None
    hosts_named: set[str]  # hosts of the channel's own links
    episodes: list[Episode]


def looks_like_feed(text: str) -> bool:
    head = text.lstrip("\ufeff \t\n")[:2000].lower()
    return "<rss" in head and ("<channel" in head or "xmlns" in head)


def read_feed(text: str, base_url: str) -> Feed:
    """`base_url` resolves relative addresses (the feed's own address, or a file: URL)."""
    root = parse_safe_xml(text)
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise TranscriptError(f"XML of <{root.tag}>, not an RSS feed (<rss><channel>)", 1)
    language = _text(channel, "language")
    channel_people = _speakers(channel)
    hosts = {host_of(urljoin(base_url, _text(channel, "link") or ""))}
    for link in channel.findall(f"{{{ATOM_NS}}}link"):
        hosts.add(host_of(urljoin(base_url, link.get("href") or "")))
    episodes = []
    for item in channel.findall("item"):
        episode = _episode(item, base_url)
        if episode is None:
            continue
        episode.speakers = episode.speakers or channel_people
        episodes.append(episode)
    return Feed(_text(channel, "title") or "", language, hosts - {""}, episodes)


def _episode(item: object, base_url: str) -> Episode | None:
    title = _text(item, "title")
    guid = _text(item, "guid") or _text(item, "link") or title
    if not guid or not title:
        return None
    transcripts = []
    for node in item.findall(f"{_P}transcript"):  # type: ignore[attr-defined]
        kind = (node.get("type") or "").split(";")[0].strip().lower()
        url = node.get("url")
        if url and kind in TRANSCRIPT_TYPES:
            transcripts.append(
                TranscriptLink(urljoin(base_url, url), TRANSCRIPT_TYPES[kind], node.get("language"))
            )
    chapters = item.find(f"{_P}chapters")  # type: ignore[attr-defined]
    enclosure = item.find("enclosure")  # type: ignore[attr-defined]
    media = enclosure.get("url") if enclosure is not None else None
    link = _text(item, "link")
    return Episode(
        guid=guid,
        title=title,
        date=_date(_text(item, "pubDate")),
        description=_plain(_text(item, "description") or _text(item, f"{{{ITUNES_NS}}}summary")),
        link=urljoin(base_url, link) if link else None,
        media_url=urljoin(base_url, media) if media else None,
        transcripts=transcripts,
        chapters_url=urljoin(base_url, chapters.get("url") or "")
        if chapters is not None and chapters.get("url")
        else None,
        speakers=_speakers(item),
    )


def _speakers(node: object) -> list[str]:
    names = []
    for person in node.findall(f"{_P}person"):  # type: ignore[attr-defined]
        group = (person.get("group") or "cast").strip().lower()
        name = clean_text(person.text or "")
        if name and group not in _NOT_SPEAKING_GROUPS:
            names.append(name)
    return list(dict.fromkeys(names))


def _text(node: object, tag: str) -> str | None:
    found = node.find(tag)  # type: ignore[attr-defined]
    if found is None:
        return None
    return clean_text("".join(found.itertext())) or None


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("p", "br", "li", "div"):
            self.parts.append("\n")


def _plain(description: str | None) -> str | None:
    """Show notes are HTML in most feeds: their text, as the archive shows descriptions."""
    if not description or "<" not in description:
        return description
    parser = _TextOnly()
    parser.feed(description)
    parser.close()
    text = "\n".join(clean_text(line) for line in "".join(parser.parts).splitlines())
    return text.strip() or None


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
