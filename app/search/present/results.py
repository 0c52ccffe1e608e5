"""What a search returns: hits at their moment, with the talk they belong to."""

from dataclasses import dataclass, field

from app.search.candidates.ranking import PassageScore
from app.search.present.snippets import Moment, build_moment
from app.store import Snapshot
from app.store.base import HitRow, SegmentRow, TranscriptInfo
from app.store.columns import json_list
from app.store.lead import HEARING_KINDS
from app.text.analysis import WORD_RE
from app.text.links import moment_url, name_slug, source_video_url
from app.text.passages import word_time


@dataclass
class TalkRef:
    slug: str
    title: str
    date: str | None
    speakers: list[str]
    youtube_id: str | None
    video_url: str | None
    media_url: str | None


@dataclass(frozen=True)
class SoundAlike:
    """Caption words matched for sounding like a query word."""

    query: str  # the word as typed: "timsort"
    heard: str  # the caption's words: "team sword"
    # "captions" when a machine heard them (captions, Whisper): a mishearing; "transcript" when
    # a person wrote them (an edited transcript): the word is spelled otherwise there
    heard_in: str = "captions"


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
    transcript: TranscriptInfo | None = None  # whose words are shown
    also_in: list[str] = field(default_factory=list)  # other transcripts' kinds that matched
    # caption words that sound like query words: what a "sound" match matched, or beside a
    # match of the words themselves, their misheard repetition at the same moment
    sounds_like: list[SoundAlike] = field(default_factory=list)
    # "sound": some query word was found only as caption words like it; "meaning": near the
    # query by meaning, not by its words; "both": by its words and by meaning
    match: str = "words"


@dataclass
class SearchResult:
    query: str
    total: int
    hits: list[Hit] = field(default_factory=list)
    total_exact: bool = True
    relaxed: bool = False
    corrected_query: str | None = None
    heard_as: list[str] = field(default_factory=list)  # the captions' spellings of a word
    notes: list[str] = field(default_factory=list)
    elapsed_ms: float = 0.0
    mode: str = "auto"  # the mode asked for: auto, words or meaning (service.Mode)
    blended: bool = False  # word moments and meaning moments ranked together
    semantic: str = "on"  # or why semantic search is off
    talk_moments: dict[int, int] = field(default_factory=dict)  # talk id -> moments found
    speaker_moments: dict[str, int] = field(default_factory=dict)  # when facets were asked


def build_hits(
    snapshot: Snapshot,
    scored: list[PassageScore],
    shown: dict[int, PassageScore] | None = None,
    also_in: dict[int, list[str]] | None = None,
    transcripts: dict[int, TranscriptInfo] | None = None,
) -> list[Hit]:
    """Each scored passage as a hit: its moment, snippet and talk (two reads for all). A
    passage in `shown` (by the hit's passage id) is the better-worded text shown instead: the
    hit keeps its own second. `transcripts` already read (by id) are not read again."""
    if not scored:
        return []
    shown = shown or {}
    shown_as = [shown.get(s.passage_id, s) for s in scored]
    ids = {s.passage_id for s in scored} | {s.passage_id for s in shown_as}
    rows = snapshot.hit_rows(sorted(ids))
    wanted = list(dict.fromkeys([s.passage_id for s in scored] + [s.passage_id for s in shown_as]))
    segments = dict(zip(wanted, snapshot.hit_segments([rows[p] for p in wanted]), strict=True))
    kinds = dict(transcripts or {})
    missing = {
        seg.transcript_id
        for segs in segments.values()
        for seg in segs
        if seg.transcript_id and seg.transcript_id not in kinds
    }
    if missing:
        kinds |= snapshot.transcript_kinds(sorted(missing))
    hits = []
    for s, display in zip(scored, shown_as, strict=True):
        row = rows[s.passage_id]
        moment = _moment(rows[display.passage_id], segments[display.passage_id], display)
        start = moment.start
        if display is not s:
            start = _moment(row, segments[s.passage_id], s).start
        talk = TalkRef(
            slug=row.slug,
            title=row.title,
            date=str(row.date) if row.date else None,
            speakers=json_list(row.speakers),
            youtube_id=row.youtube_id,
            video_url=row.video_url,
            media_url=row.media_url,
        )
        first = segments[display.passage_id][0]
        hits.append(
            Hit(
                talk=talk,
                start=start,
                end=max(moment.end, start) if moment.end is not None else None,
                speaker=moment.speaker,
                text=moment.text,
                snippet=moment.snippet,
                url=moment_url(row.slug, start),
                video_url=source_video_url(row.youtube_id, row.video_url, row.media_url, start),
                score=round(s.score, 3),
                partial=s.coverage < 1.0,
                transcript=kinds.get(first.transcript_id) if first.transcript_id else None,
                also_in=(also_in or {}).get(s.passage_id, []),
                sounds_like=_heard(segments[s.passage_id], row.word_start, s, kinds),
                match="sound" if s.by_sound else s.matched_by,
            )
        )
    return hits


def _heard(
    segs: list[SegmentRow],
    word_start: int,
    s: PassageScore,
    kinds: dict[int, TranscriptInfo],
) -> list[SoundAlike]:
    """The caption's words matched by sound, as written, and whether a machine heard them."""
    out: list[SoundAlike] = []
    info = kinds.get(segs[0].transcript_id) if segs and segs[0].transcript_id else None
    heard_in = "transcript" if info is not None and info.kind not in HEARING_KINDS else "captions"
    for span, word in s.sounds:
        lo, hi = word_start + span.start, word_start + span.end
        said = [
            w
            for seg in segs
            if seg.word_offset < hi and seg.word_offset + seg.word_count > lo
            for k, w in enumerate(WORD_RE.findall(seg.text))
            if lo <= seg.word_offset + k < hi
        ]
        if said:
            out.append(SoundAlike(query=word, heard=" ".join(said), heard_in=heard_in))
    return list(dict.fromkeys(out))


def _moment(row: HitRow, segs: list[SegmentRow], s: PassageScore) -> Moment:
    """The passage's moment; the segment after it counts only if it is of the same text."""
    span = row.last_segment - row.first_segment + 1
    after = segs[span] if len(segs) > span else None
    same_text = after is not None and after.transcript_id == segs[span - 1].transcript_id
    return build_moment(
        segs[:span],
        after.start if same_text else None,
        row.word_start,
        s.matched,
        mark=s.matched_by != "meaning",
    )


@dataclass(slots=True)  # not frozen: one per passage ranked (see store.base.SegmentRow)
class MomentFacts:
    """Who says a passage's first matched word, and when: the hit's speaker and start."""

    speaker: str | None
    start: float
    transcript_id: int | None = None


def moment_facts(snapshot: Snapshot, scored: list[PassageScore]) -> dict[int, MomentFacts]:
    """passage id -> its moment's speaker and second, read from the segments (not their text),
    as build_hits would show them: the segment holding the first matched word, and when the
    next one starts."""
    words = {s.passage_id: s.word_start + (s.matched[0].start if s.matched else 0) for s in scored}
    held = snapshot.moment_segments(list(words.items()))
    out = {
        pid: _facts(seg, next_start, next_transcript, words[pid])
        for pid, (seg, next_start, next_transcript) in held.items()
    }
    missing = [pid for pid in words if pid not in held]
    if missing:  # no segment holds the word (word counts at odds with the passage): as before
        out |= _facts_from_spans(snapshot.passage_segments(missing), words)
    return out


def _facts_from_spans(
    spans: dict[int, list[SegmentRow]], words: dict[int, int]
) -> dict[int, MomentFacts]:
    """The facts from every segment each passage spans (and the one after): the last segment
    starting at or before the word."""
    out: dict[int, MomentFacts] = {}
    for pid, segments in spans.items():
        if not segments:
            continue
        word = words[pid]
        i = 0
        while i + 1 < len(segments) and segments[i + 1].word_offset <= word:
            i += 1
        after = segments[i + 1] if i + 1 < len(segments) else None
        out[pid] = _facts(
            segments[i],
            after.start if after else None,
            after.transcript_id if after else None,
            word,
        )
    return out


def _facts(
    seg: SegmentRow, next_start: float | None, next_transcript: int | None, word: int
) -> MomentFacts:
    """Who says the talk's `word` in the segment holding it, and when: the next segment's start
    bounds the time only when it is of the same transcript."""
    following = next_start if next_transcript == seg.transcript_id else None
    return MomentFacts(
        seg.speaker, word_time(seg, following, word - seg.word_offset), seg.transcript_id
    )


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
