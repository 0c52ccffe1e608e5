"""How the archive names moments: the clock format, moment and video links, and the one rule
for what a YouTube id is."""

import re
from urllib.parse import urlsplit

from app.text.analysis import normalize

YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_SLUG_RUN = re.compile(r"[^a-z0-9]+")
_YOUTUBE_URL = re.compile(r"(?:v=|youtu\.be/|/embed/|/shorts/|/live/)([A-Za-z0-9_-]{11})")


def youtube_id_from(value: str) -> str | None:
    """A bare id or the id in a YouTube URL; None for anything else."""
    value = value.strip()
    if YOUTUBE_ID.fullmatch(value):
        return value
    m = _YOUTUBE_URL.search(value)
    return m.group(1) if m else None


def is_youtube_id(value: str | None) -> bool:
    return bool(value) and YOUTUBE_ID.fullmatch(value or "") is not None


def clock(seconds: float | None) -> str:
    """Seconds as M:SS or H:MM:SS ("" for none)."""
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def moment_url(slug: str, start: float) -> str:
    return f"/talks/{slug}?t={int(start)}"


def source_video_url(
    youtube_id: str | None, video_url: str | None, media_url: str | None, start: float
) -> str | None:
    """The original video at that second, where known."""
    seconds = int(start)
    if is_youtube_id(youtube_id):
        return f"https://www.youtube.com/watch?v={youtube_id}&t={seconds}s"
    if video_url:
        sep = "&" if "?" in video_url else "?"
        return f"{video_url}{sep}t={seconds}" if "youtu" in video_url else video_url
    if media_url:
        return f"{media_url}#t={seconds}"
    return None


def name_slug(name: str) -> str:
    """A person's or topic's slug: its words folded to ASCII (dotless i as i), joined by '-'."""
    folded = " ".join(normalize(w) for w in name.replace("ı", "i").split())
    return _SLUG_RUN.sub("-", folded).strip("-") or "unknown"


def topic_key(name: str) -> str:
    """What makes two topic names one topic: the slug with each word made singular
    ("Career Transitions" and "career transition"; "startups" and "Startup")."""
    return "-".join(_singular(word) for word in name_slug(name).split("-"))


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def host_of(url: str) -> str:
    """The address's host, lower case ("" when it has none)."""
    return (urlsplit(url).hostname or "").lower()
