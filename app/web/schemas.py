"""Typed JSON shapes of the API (they are the OpenAPI schema at /docs)."""

import datetime as dt

from pydantic import BaseModel, Field


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
    video_url: str | None = Field(description="The source video at this second, where known.")
    score: float
    partial: bool = Field(description="True when the passage lacks some of the query's words.")


class SearchOut(BaseModel):
    query: str
    total: int
    total_exact: bool = Field(description="False when `total` is estimated from a sample.")
    limit: int
    offset: int
    relaxed: bool = Field(description="True when no passage held every word: closest shown.")
    corrected_query: str | None = Field(description="The spelling-corrected query, if used.")
    notes: list[str]
    elapsed_ms: float
    hits: list[HitOut]


class TalkListItem(TalkSummary):
    duration: float | None
    segment_count: int
    word_count: int
    chapter_count: int


class TalkList(BaseModel):
    total: int
    talks: list[TalkListItem]


class ChapterOut(BaseModel):
    title: str
    start: float


class SegmentOut(BaseModel):
    start: float
    end: float | None
    speaker: str | None
    text: str


class TalkDetail(TalkSummary):
    description: str | None
    topics: list[str]
    duration: float | None
    source_format: str
    chapters: list[ChapterOut]
    segments: list[SegmentOut]


class ErrorBody(BaseModel):
    status: int
    message: str


class ErrorOut(BaseModel):
    error: ErrorBody
