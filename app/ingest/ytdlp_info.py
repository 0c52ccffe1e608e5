"""yt-dlp's `.info.json` (what `--write-info-json` writes beside `Title [id].en.vtt`) as the
sidecar of that video's captions: its title, date, page address, channel, description, tags
and chapters. Never its `url`, an expiring address of the media stream. A playlist's or a
channel's info.json describes no one video and is not a sidecar."""

import re
from typing import Any

from app.ingest.transcript import base_language

LANGUAGE_SUFFIX = re.compile(r"\.[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")  # .en, .de-orig, .pt-BR


def is_video_info(data: Any) -> bool:
    return isinstance(data, dict) and data.get("_type", "video") == "video" and "id" in data


def info_sidecar(data: dict[str, Any]) -> dict[str, Any]:
    """The info.json's fields under the names a sidecar uses (app/ingest/sidecar.py)."""
    meta: dict[str, Any] = {"from_info_json": True}
    if isinstance(data.get("title"), str):
        meta["title"] = data["title"]
    date = str(data.get("upload_date") or "")
    if re.fullmatch(r"\d{8}", date):
        meta["date"] = f"{date[:4]}-{date[4:6]}-{date[6:]}"
    if isinstance(data.get("webpage_url"), str):
        meta["video_url"] = data["webpage_url"]
    if str(data.get("extractor_key") or data.get("extractor") or "").lower() == "youtube":
        meta["youtube_id"] = str(data["id"])
    if isinstance(data.get("description"), str):
        meta["description"] = data["description"]
    if isinstance(data.get("tags"), list):
        meta["topics"] = [str(t) for t in data["tags"] if str(t).strip()]
    channel = data.get("channel") or data.get("uploader")
    if isinstance(channel, str) and channel.strip():
        meta["channel"] = channel.strip()  # a speaker only where nothing better says who
    chapters = data.get("chapters")
    if isinstance(chapters, list):
        meta["chapters"] = [
            {"start": c.get("start_time"), "title": c.get("title")}
            for c in chapters
            if isinstance(c, dict) and c.get("title") is not None
        ]
    if isinstance(data.get("language"), str):
        meta["language"] = data["language"]
    return meta


def caption_language(stem: str) -> str | None:
    """`Title [id].en` -> "en": the language yt-dlp puts in a caption file's name."""
    m = LANGUAGE_SUFFIX.search(stem)
    return m.group(0)[1:] if m else None


def ytdlp_languages(meta: dict[str, Any], stem: str) -> None:
    """A caption file's language is its name's (`.de`, `.en-orig`), not the video's (the
    info.json's `language`); captions in another language than the video's are a translation
    of it (one talk, its own captions lead)."""
    spoken = meta.pop("language", None)
    named = caption_language(stem)
    if named is None:
        meta["language"] = spoken
        return
    base = base_language(named)
    meta["language"] = base
    original = named.lower().endswith("-orig") or (
        isinstance(spoken, str) and base_language(spoken) == base
    )
    if not original and isinstance(spoken, str) and not meta.get("kind"):
        meta["kind"] = "translation"
