"""Markdown episodes with YAML front matter (the DataTalks.Club podcast format): title, guests,
ids.youtube, dateadded, topics, and `transcript:` items that are `{header}` chapters or
`{line, sec, time, who}` turns. Turns without a time get one interpolated by word count."""

import datetime as dt
import re
from pathlib import Path
from typing import Any

from app.ingest.bounds import checked_seconds
from app.ingest.people import People, fold, people_folder
from app.ingest.transcript import (
    Chapter,
    Segment,
    Transcript,
    TranscriptError,
    clean_text,
    parse_clock,
)
from app.ingest.yaml_safe import child_node, item_lines, load_yaml, split_front_matter
from app.text.links import youtube_id_from

WORDS_PER_SECOND = 2.5  # speaking rate used only to extrapolate past the last known time
_ISO_DURATION = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$")


def read_episode(text: str, path: Path | None = None) -> Transcript:
    yaml_text, first_line = split_front_matter(text)
    data, root = load_yaml(yaml_text, first_line)
    if not isinstance(data, dict):
        raise TranscriptError("front matter is not a mapping", first_line)
    items = data.get("transcript")
    if not isinstance(items, list):
        raise TranscriptError("front matter has no 'transcript:' list", first_line)
    lines = item_lines(child_node(root, "transcript"), first_line)

    turns: list[tuple[float | None, str, str | None, int | None]] = []
    chapter_marks: list[tuple[str, int]] = []  # title, index of the turn it precedes
    for i, item in enumerate(items):
        line = lines[i] if i < len(lines) else None
        if not isinstance(item, dict):
            raise TranscriptError(f"transcript item {i + 1} is not a mapping", line)
        if "header" in item:
            chapter_marks.append((clean_text(str(item["header"])), len(turns)))
            continue
        if "line" not in item:
            raise TranscriptError(f"transcript item {i + 1} has neither 'line' nor 'header'", line)
        body = clean_text(str(item["line"] or ""))
        if not body:
            continue
        who = item.get("who")
        turn = (_seconds(item, line), body, clean_text(str(who)) if who else None, line)
        if turns and turns[-1][1] == body:
            # the same turn twice in a row (an export artifact): keep one, with its time
            if turns[-1][0] is None:
                turns[-1] = turn
            continue
        turns.append(turn)
    if not turns:
        raise TranscriptError("transcript has no lines", first_line)

    starts = _fill_times([t[0] for t in turns], [len(t[1].split()) for t in turns])
    for i in range(1, len(starts)):
        starts[i] = max(starts[i], starts[i - 1])  # a stray earlier time never reorders turns
    guests = _guest_names(data.get("guests"), path)
    segments = [
        Segment(start=start, text=body, speaker=who, line=line)
        for start, (_, body, who, line) in zip(starts, turns, strict=True)
    ]
    chapters = [
        Chapter(title=title, start=segments[min(at, len(segments) - 1)].start)
        for title, at in chapter_marks
        if title
    ]
    ids = data.get("ids") if isinstance(data.get("ids"), dict) else {}
    topics = data.get("topics") if isinstance(data.get("topics"), list) else []
    return Transcript(
        segments=segments,
        chapters=chapters,
        format="episode",
        title=_str(data.get("title")) or _str(data.get("short")),
        speakers=guests,
        date=_date(data.get("dateadded") or data.get("date")),
        description=_str(data.get("description")),
        topics=[str(t) for t in topics],
        youtube_id=youtube_id_from(str(ids.get("youtube") or "")),
        duration=_duration(data.get("duration")),
        talk_key=_str(data.get("talk")),
    )


def _str(value: Any) -> str | None:
    return clean_text(str(value)) if value not in (None, "") else None


def _seconds(item: dict[str, Any], line: int | None) -> float | None:
    sec = item.get("sec")
    if isinstance(sec, int | float) and not isinstance(sec, bool):
        if sec < 0:
            raise TranscriptError(f"negative time {sec}", line)
        return checked_seconds(float(sec), "sec", line)
    if isinstance(sec, str) and sec.strip():
        try:
            return checked_seconds(float(sec), "sec", line)
        except ValueError:
            pass
    if isinstance(item.get("time"), str):
        clock = parse_clock(item["time"])
        if clock is not None:
            return clock
    return None


def _fill_times(known: list[float | None], words: list[int]) -> list[float]:
    """Give every turn a start: between two known times, spread by the words spoken."""
    filled: list[float] = []
    n = len(known)
    i = 0
    prev_time, prev_index = 0.0, -1
    while i < n:
        if known[i] is not None:
            prev_time, prev_index = known[i], i  # type: ignore[assignment]
            filled.append(prev_time)
            i += 1
            continue
        j = i
        while j < n and known[j] is None:
            j += 1
        start_at = prev_time
        start_words = words[prev_index] if prev_index >= 0 else 0
        gap_words = [start_words] + words[i:j]
        total = sum(gap_words) or 1
        if j < n:
            span = max(known[j] - start_at, 0.0)  # type: ignore[operator]
            per_word = span / total
        else:
            per_word = 1 / WORDS_PER_SECOND
        elapsed = start_words
        for k in range(i, j):
            filled.append(start_at + elapsed * per_word)
            elapsed += words[k]
        i = j
    return filled


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _duration(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return checked_seconds(float(value), "duration")
    if isinstance(value, str):
        m = _ISO_DURATION.match(value.strip())
        if m and any(m.groups()):
            h, mi, s = m.groups()
            seconds = int(h or 0) * 3600 + int(mi or 0) * 60 + float(s or 0)
            return checked_seconds(seconds, "duration")
        return parse_clock(value)
    return None


def _guest_names(guests: Any, path: Path | None) -> list[str]:
    """Guest ids as full names, from the `people/` folder beside or above the episode."""
    if isinstance(guests, str):
        guests = [guests]
    if not isinstance(guests, list):
        return []
    people = people_folder(path.resolve().parent) if path else People()
    keys = [str(guest).strip() for guest in guests]
    return [people.by_id.get(fold(key), key) for key in keys if key]
