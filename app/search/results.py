"""What a search returns: hits at their moment, with the talk they belong to."""

import json
from dataclasses import dataclass, field

from app.links import moment_url, source_video_url
from app.search.ranking import PassageScore
from app.search.snippets import build_moment
from app.store import Snapshot


@dataclass
class TalkRef:
    slug: str
    title: str
    date: str | None
    speakers: list[str]
    youtube_id: str | None
    video_url: str | None
    media_url: str | None


@dataclass
class Hit:
    talk: TalkRef
    start: float
    end: float | None
    speaker: str | None
    text: str
    snippet: str
    url: str
    video_url: str | None
    score: float
    partial: bool  # not every query word is in this passage


@dataclass
class SearchResult:
    query: str
    total: int
    hits: list[Hit] = field(default_factory=list)
    total_exact: bool = True
    relaxed: bool = False
    corrected_query: str | None = None
    notes: list[str] = field(default_factory=list)
    elapsed_ms: float = 0.0


def build_hits(snapshot: Snapshot, scored: list[PassageScore]) -> list[Hit]:
    """Each scored passage as a hit: its moment, snippet and talk (two reads for all)."""
    if not scored:
        return []
    rows = snapshot.hit_rows([s.passage_id for s in scored])
    segments = snapshot.hit_segments([rows[s.passage_id] for s in scored])
    hits = []
    for s, segs in zip(scored, segments, strict=True):
        row = rows[s.passage_id]
        span = row.last_segment - row.first_segment + 1
        next_start = segs[-1].start if len(segs) > span else None
        moment = build_moment(segs[:span], next_start, row.word_start, s.matched)
        talk = TalkRef(
            slug=row.slug,
            title=row.title,
            date=str(row.date) if row.date else None,
            speakers=json_list(row.speakers),
            youtube_id=row.youtube_id,
            video_url=row.video_url,
            media_url=row.media_url,
        )
        hits.append(
            Hit(
                talk=talk,
                start=moment.start,
                end=moment.end,
                speaker=moment.speaker,
                text=moment.text,
                snippet=moment.snippet,
                url=moment_url(row.slug, moment.start),
                video_url=source_video_url(
                    row.youtube_id, row.video_url, row.media_url, moment.start
                ),
                score=round(s.score, 3),
                partial=s.coverage < 1.0,
            )
        )
    return hits


def json_list(value: object) -> list[str]:
    """A JSON list column as strings (SQLite gives text, PostgreSQL a list)."""
    if isinstance(value, str):
        try:
            data = json.loads(value)
        except ValueError:
            return []
        return [str(x) for x in data] if isinstance(data, list) else []
    return [str(x) for x in value] if isinstance(value, list) else []
