"""Typed JSON shapes of the API (they are the OpenAPI schema at /docs)."""

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from app.search.service import Mode


class TalkSummary(BaseModel):
    slug: str
    title: str
    date: dt.date | str | None = None
    speakers: list[str] = []
    youtube_id: str | None = None
    video_url: str | None = None
    media_url: str | None = None
    url: str = Field(description="The talk page.")


class HitOut(BaseModel):
    talk: TalkSummary
    start: float = Field(description="Second at which the first matched word is spoken.")
    end: float | None
    speaker: str | None
    text: str = Field(description="Plain text around the match.")
    snippet: str = Field(description="HTML-escaped text with <mark> around matched words.")
    url: str = Field(description="The talk page opened at this moment: /talks/<slug>?t=<s>.")
    absolute_url: str = Field(description="`url` with the archive's address in front.")
    video_url: str | None = Field(description="The source video at this second, where known.")
    score: float
    partial: bool = Field(description="True when the passage lacks some of the query's words.")
    transcript: "TranscriptOut | None" = Field(
        None, description="The transcript whose words are shown (the best-worded one)."
    )
    also_in: list[str] = Field(
        [], description="Kinds of the talk's other transcripts that matched at this moment."
    )
    match: Literal["words", "sound", "meaning", "both"] = Field(
        "words",
        description='Why this moment was found: "words" by the query\'s words; "sound" when '
        "some query words were found only as caption words that sound like them (misheard by "
        'automatic captions: "team sword" for timsort); "meaning" by what it is about, not its '
        'words (semantic search); "both" by its words and by meaning.',
    )
    sounds_like: list["SoundAlikeOut"] = Field(
        [], description="The caption words matched by sound, and the query word each stands for."
    )


class SoundAlikeOut(BaseModel):
    query: str = Field(description="The query word: timsort")
    heard: str = Field(description="The caption's words: team sword")
    heard_in: Literal["captions", "transcript"] = Field(
        "captions",
        description='"captions" when a machine heard these words (automatic captions, Whisper): '
        'a mishearing; "transcript" when a person wrote them: the word is spelled otherwise there.',
    )


class TranscriptOut(BaseModel):
    kind: str = Field(description="edited, whisper, captions or translation")
    format: str
    language: str | None


class SearchOut(BaseModel):
    query: str
    total: int
    total_exact: bool = Field(description="False when `total` is estimated from a sample.")
    limit: int
    offset: int
    relaxed: bool = Field(description="True when no passage held every word: closest shown.")
    corrected_query: str | None = Field(description="The spelling-corrected query, if used.")
    heard_as: list[str] = Field(
        [],
        description="When the best hits matched by sound: how the captions spell the words "
        '("team sword"), to search for as written.',
    )
    notes: list[str]
    elapsed_ms: float
    mode: Mode = Field("auto", description="The mode asked for (mode=auto|words|meaning).")
    blended: bool = Field(
        False, description="True when word matches and meaning matches were ranked together."
    )
    semantic: str = Field(
        "on", description='"on", or why semantic search is off (the extra is not installed).'
    )
    talks: list["NamedTalkOut"] = Field(
        description="Talks the query names: by title, a speaker, a chapter title, a topic or "
        "the description (first page only)."
    )
    facets: "FacetsOut | None" = Field(
        None, description="Moments found per speaker, topic, year and talk (facets=true)."
    )
    hits: list[HitOut]


class RelatedOut(BaseModel):
    slug: str = Field(description="The talk asked about.")
    t: float = Field(description="Its second asked about.")
    semantic: str = Field(description='"on", or why semantic search is off.')
    hits: list[HitOut] = Field(description="Moments of other talks, nearest in meaning first.")


class NamedTalkOut(BaseModel):
    talk: TalkSummary
    matched: str = Field(description="title, speaker, chapter, topic or description")
    text: str = Field(description="The matching title, name, chapter title, topic or text.")
    start: float | None = Field(description="The chapter's second, for a chapter match.")
    url: str = Field(description="The talk page, at the chapter for a chapter match.")
    moments: int = Field(description="Moments found in this talk by the quote search.")


class FacetValueOut(BaseModel):
    value: str = Field(description="The value to pass as the filter parameter.")
    name: str
    count: int = Field(description="Moments found with this value.")


class FacetsOut(BaseModel):
    speakers: list[FacetValueOut]
    topics: list[FacetValueOut]
    years: list[FacetValueOut]
    talks: list[FacetValueOut]


class GroupOut(BaseModel):
    """A person or a topic, with the number of its talks and its page."""

    slug: str
    name: str
    talk_count: int
    url: str


class PersonList(BaseModel):
    total: int
    speakers: list[GroupOut]


class TopicList(BaseModel):
    total: int
    topics: list[GroupOut]


class TalkListItem(TalkSummary):
    duration: float | None
    topics: list[str]
    segment_count: int
    word_count: int
    chapter_count: int


class CountOut(BaseModel):
    value: str
    name: str
    count: int = Field(description="Talks with this value among the listed talks.")


class PersonDetail(GroupOut):
    """A person with their talks, newest first."""

    talks: list[TalkListItem]


class TalkList(BaseModel):
    total: int
    limit: int
    offset: int
    talks: list[TalkListItem]
    counts: dict[str, list[CountOut]] | None = Field(
        None,
        description="Talks per speaker, topic and year among all the talks the filters leave "
        "(with counts=true).",
    )


class ChapterOut(BaseModel):
    title: str
    start: float


class SegmentOut(BaseModel):
    start: float
    end: float | None
    speaker: str | None
    text: str
    word_times: list[float] | None = Field(
        None, description="Each word's second, aligned with a timed transcript, where known."
    )


class TranscriptDetail(BaseModel):
    kind: str = Field(description="edited, whisper, captions or translation")
    format: str
    language: str | None
    source_file: str
    content_hash: str
    shown: bool = Field(description="Whether `segments` are this transcript's.")


class TalkDetail(TalkSummary):
    description: str | None
    topics: list[str]
    duration: float | None
    source_format: str
    chapters: list[ChapterOut]
    transcripts: list[TranscriptDetail]
    segments: list[SegmentOut]


class ErrorBody(BaseModel):
    status: int
    message: str


class ErrorOut(BaseModel):
    error: ErrorBody
