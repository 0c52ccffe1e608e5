"""`<stem>.yaml` / `<stem>.yml` / `<stem>.json` beside a transcript: metadata that overrides
what the transcript says (title, speakers, date, video URL or YouTube id, media URL, slug)."""

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from app.ingest.bounds import checked_seconds, vet_metadata
from app.ingest.detect import decode
from app.ingest.episode_md import _date
from app.ingest.transcript import Chapter, Transcript, TranscriptError, clean_text
from app.ingest.yaml_safe import load_yaml
from app.ingest.ytdlp_info import LANGUAGE_SUFFIX, info_sidecar, is_video_info
from app.text.links import youtube_id_from

SIDECAR_SUFFIXES = (".yaml", ".yml", ".json")


def sidecar_for(path: Path) -> Path | None:
    """`talk.yaml`/`.yml`/`.json` beside `talk.srt`; else yt-dlp's `Title [id].info.json` beside
    `Title [id].en.vtt`."""
    for suffix in SIDECAR_SUFFIXES:
        candidate = path.with_suffix(suffix)
        if candidate != path and candidate.is_file():
            return candidate
    stem = path.stem
    for base in dict.fromkeys([stem, LANGUAGE_SUFFIX.sub("", stem)]):
        candidate = path.with_name(f"{base}.info.json")
        if candidate.is_file():
            return candidate
    return None


def chapters_for(path: Path) -> Path | None:
    """A Podcasting 2.0 chapters file beside the transcript: `<name>.chapters.json`."""
    candidate = path.with_name(f"{path.stem}.chapters.json")
    return candidate if candidate.is_file() else None


def read_chapters(path: Path) -> list[Chapter]:
    """`{"version", "chapters": [{"startTime", "title"}]}`; chapters marked `toc: false` (an
    image change, not a chapter) are left out."""
    data = read_sidecar(path)
    items = data.get("chapters")
    if not isinstance(items, list):
        raise TranscriptError(f"{path.name} has no 'chapters' list", 1)
    return chapter_list(items, "startTime", f"{path.name} chapter startTime")


def chapter_list(items: list[Any], start_key: str, what: str) -> list[Chapter]:
    """Chapters from a list of `{start_key: seconds, "title": ...}` (a chapters file, yt-dlp's
    info.json): entries with no title, no numeric start, or `toc: false` are left out."""
    chapters = []
    for item in items:
        if not isinstance(item, dict) or item.get("toc") is False or not item.get("title"):
            continue
        start = item.get(start_key)
        if isinstance(start, int | float) and not isinstance(start, bool):
            title = clean_text(str(item["title"]))
            chapters.append(Chapter(title, checked_seconds(float(start), what)))
    return chapters


def read_sidecar(path: Path) -> dict[str, Any]:
    try:
        text = decode(path.read_bytes())
    except TranscriptError as exc:
        raise TranscriptError(f"sidecar {path.name}: {exc.message}") from None
    if path.suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise TranscriptError(f"sidecar {path.name}: {exc.msg}", exc.lineno) from exc
        except RecursionError:
            raise TranscriptError(f"sidecar {path.name}: JSON nested too deeply") from None
        except ValueError as exc:  # a number of thousands of digits
            reason = str(exc).split(";")[0]
            raise TranscriptError(f"sidecar {path.name}: not valid JSON: {reason}") from None
    else:
        data, _ = load_yaml(text)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise TranscriptError(f"sidecar {path.name} is not a mapping", 1)
    if path.name.endswith(".info.json"):
        return info_sidecar(data) if is_video_info(data) else {}
    return data


def is_safe_url(url: str) -> bool:
    """http(s) URLs or paths only: a javascript: or data: URL must never reach a page."""
    scheme = urlsplit(url.strip()).scheme.lower()
    return scheme in ("http", "https") or (scheme == "" and not url.strip().startswith("//"))


def _url(meta: dict[str, Any], key: str) -> str | None:
    value = meta.get(key)
    if value in (None, ""):
        return None
    url = str(value).strip()
    if not is_safe_url(url):
        raise TranscriptError(f"sidecar {key} must be an http(s) URL or a path, got {url[:40]!r}")
    return url


def apply_sidecar(transcript: Transcript, meta: dict[str, Any]) -> None:
    def text(key: str) -> str | None:
        value = meta.get(key)
        return clean_text(str(value)) if value not in (None, "") else None

    transcript.title = text("title") or transcript.title
    transcript.description = text("description") or transcript.description
    speakers = meta.get("speakers", meta.get("speaker"))
    if isinstance(speakers, str):
        speakers = [speakers]
    if isinstance(speakers, list):
        transcript.speakers = [clean_text(str(s)) for s in speakers if str(s).strip()]
    transcript.date = _date(meta.get("date")) or transcript.date
    if isinstance(meta.get("topics"), list):
        transcript.topics = [str(t) for t in meta["topics"]]
    video_url = _url(meta, "video_url") or _url(meta, "url")
    youtube = text("youtube_id") or text("youtube")
    if video_url:
        transcript.video_url = video_url
        youtube = youtube or youtube_id_from(video_url)
    if youtube:
        transcript.youtube_id = youtube_id_from(youtube) or transcript.youtube_id
    transcript.media_url = _url(meta, "media_url") or transcript.media_url
    transcript.slug = text("slug") or transcript.slug
    channel = text("channel")
    if channel and not transcript.speakers:
        transcript.speakers = [channel]
    chapters = meta.get("chapters")
    if isinstance(chapters, list) and not transcript.chapters:
        transcript.chapters = chapter_list(chapters, "start", "chapter")

    vet_metadata(transcript, "sidecar")
