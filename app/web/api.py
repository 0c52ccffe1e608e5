"""JSON API: /api/search, /api/talks, /api/talks/<slug>."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from app.models import Talk
from app.search.plan import Filters
from app.search.results import Hit, SearchResult, TalkRef
from app.search.service import SearchService
from app.store.catalog import list_talks
from app.web.deps import SessionDep, TalkDep
from app.web.schemas import (
    ChapterOut,
    ErrorOut,
    HitOut,
    SearchOut,
    SegmentOut,
    TalkDetail,
    TalkList,
    TalkListItem,
    TalkSummary,
)

MAX_QUERY_CHARS = 2000
router = APIRouter(prefix="/api", responses={422: {"model": ErrorOut}})

QUERY_HELP = 'Words, "phrase", -not, a OR b, pre*.'
MAX_LIMIT = 100
MAX_OFFSET = 10_000
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


def search_filters(
    talk: str | None, speaker: str | None, date_from: date | None, date_to: date | None
) -> Filters:
    return Filters(
        talk=talk or None,
        speakers=(speaker,) if speaker else (),
        date_from=date_from.isoformat() if date_from else None,
        date_to=date_to.isoformat() if date_to else None,
    )


def search_out(result: SearchResult, limit: int, offset: int) -> SearchOut:
    return SearchOut(
        query=result.query,
        total=result.total,
        total_exact=result.total_exact,
        limit=limit,
        offset=offset,
        relaxed=result.relaxed,
        corrected_query=result.corrected_query,
        notes=result.notes,
        elapsed_ms=result.elapsed_ms,
        hits=[hit_out(h) for h in result.hits],
    )


def hit_out(hit: Hit) -> HitOut:
    return HitOut(
        talk=TalkSummary(**_summary_fields(hit.talk)),
        start=hit.start,
        end=hit.end,
        speaker=hit.speaker,
        text=hit.text,
        snippet=hit.snippet,
        url=hit.url,
        video_url=hit.video_url,
        score=hit.score,
        partial=hit.partial,
    )


class SearchParams(BaseModel):
    """The query string of /api/search, validated as one model (one pass, not one per field)."""

    q: str = Field("", max_length=MAX_QUERY_CHARS, description=QUERY_HELP)
    limit: int = Field(10, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    talk: str | None = Field(None, max_length=200, description="Only this talk (slug).")
    speaker: str | None = Field(None, max_length=200)
    date_from: date | None = None
    date_to: date | None = None


@router.get("/search", response_model=SearchOut)
async def api_search(request: Request, params: Annotated[SearchParams, Query()]) -> Response:
    """Search every talk; each hit points at the second its first matched word is spoken."""
    p = params
    filters = search_filters(p.talk, p.speaker, p.date_from, p.date_to)
    service: SearchService = request.app.state.search_service

    def run() -> bytes:
        # one trip to the thread pool for connection, search and JSON: the request's hot path
        result = service.search(
            request.app.state.store, p.q, filters=filters, limit=p.limit, offset=p.offset
        )
        return search_out(result, p.limit, p.offset).model_dump_json().encode()

    return Response(await run_in_threadpool(run), media_type="application/json")


def _summary_fields(talk: Talk | TalkRef) -> dict[str, object]:
    return dict(
        slug=talk.slug,
        title=talk.title,
        date=talk.date,
        speakers=talk.speakers or [],
        youtube_id=talk.youtube_id,
        video_url=talk.video_url,
        media_url=talk.media_url,
        url=f"/talks/{talk.slug}",
    )


@router.get("/talks", response_model=TalkList)
def api_talks(session: SessionDep, limit: Limit = 100, offset: Offset = 0) -> TalkList:
    """All talks with their segment, word and chapter counts."""
    total, talks = list_talks(session, limit, offset)
    return TalkList(
        total=total,
        talks=[
            TalkListItem(
                **_summary_fields(t),
                duration=t.duration,
                segment_count=t.segment_count,
                word_count=t.word_count,
                chapter_count=len(t.chapters),
            )
            for t in talks
        ],
    )


@router.get("/talks/{slug}", response_model=TalkDetail, responses={404: {"model": ErrorOut}})
def api_talk(talk: TalkDep) -> TalkDetail:
    """One talk: metadata, chapters and every segment."""
    return TalkDetail(
        **_summary_fields(talk),
        description=talk.description,
        topics=talk.topics or [],
        duration=talk.duration,
        source_format=talk.source_format,
        chapters=[ChapterOut(title=c.title, start=c.start) for c in talk.chapters],
        segments=[
            SegmentOut(start=s.start, end=s.end, speaker=s.speaker, text=s.text)
            for s in talk.segments
        ],
    )
