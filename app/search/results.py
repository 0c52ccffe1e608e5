"""What a search returns: hits at their moment, with the talk they belong to."""

import json
from dataclasses import dataclass, field

from app.links import moment_url, name_slug, source_video_url
from app.search.passages import word_time
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
    talk_moments: dict[int, int] = field(default_factory=dict)  # talk id -> moments found
    speaker_moments: dict[str, int] = field(default_factory=dict)  # when facets were asked


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


@dataclass(frozen=True, slots=True)
class MomentFacts:
    """Who says a passage's first matched word, and when: the hit's speaker and start."""

    speaker: str | None
    start: float


def moment_facts(snapshot: Snapshot, scored: list[PassageScore]) -> dict[int, MomentFacts]:
    """passage id -> its moment's speaker and second, read from the segments (not their text),
    as build_hits would show them."""
    spans = snapshot.passage_segments([s.passage_id for s in scored])
    out: dict[int, MomentFacts] = {}
    for s in scored:
        segments = spans.get(s.passage_id)
        if not segments:
            continue
        word = s.word_start + (s.matched[0].start if s.matched else 0)
        i = 0
        while i + 1 < len(segments) and segments[i + 1].word_offset <= word:
            i += 1
        seg = segments[i]
        following = segments[i + 1].start if i + 1 < len(segments) else None
        start = word_time(seg, following, word - seg.word_offset)
        out[s.passage_id] = MomentFacts(seg.speaker, start)
    return out


def spoken_by(speaker: str | None, wanted: tuple[str, ...]) -> bool:
    """Whether the moment's speaker is one of the people asked for: by full name, slug, or one
    of their names ("Alexey" is Alexey Grigorev)."""
    if not speaker:
        return False
    said = name_slug(speaker)
    for name in wanted:
        slug = name_slug(name)
        if slug == said or ("-" not in slug and slug in said.split("-")):
            return True
    return False


def json_list(value: object) -> list[str]:
    """A JSON list column as strings (SQLite gives text, PostgreSQL a list)."""
    if isinstance(value, str):
        try:
            data = json.loads(value)
        except ValueError:
            return []
        return [str(x) for x in data] if isinstance(data, list) else []
    return [str(x) for x in value] if isinstance(value, list) else []
