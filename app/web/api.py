"""JSON API: /api/search, /api/talks, /api/talks/<slug>, /api/speakers(/<slug>), /api/topics."""

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as UrlPath
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, BeforeValidator, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from app.catalogue import Catalogue, Group, NamedMatch, TalkCard
from app.models import Talk
from app.search.present.results import Hit, TalkRef
from app.search.service import Mode, SearchService
from app.store.catalog import talk_transcripts
from app.text.links import moment_url, name_slug
from app.text.passages import aligned_times
from app.web.deps import CatalogueDep, SessionDep, TalkDep
from app.web.errors import AppError
from app.web.schemas import (
    ChapterOut,
    CountOut,
    ErrorOut,
    FacetsOut,
    FacetValueOut,
    GroupOut,
    HitOut,
    NamedTalkOut,
    PersonDetail,
    PersonList,
    RelatedOut,
    SearchOut,
    SegmentOut,
    SoundAlikeOut,
    TalkDetail,
    TalkList,
    TalkListItem,
    TalkSummary,
    TopicList,
    TranscriptDetail,
    TranscriptOut,
)
from app.web.searching import SearchPage, SearchRequest, run_search
from app.web.talk_view import talk_view

MAX_QUERY_CHARS = 2000
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_only(value: object) -> object:
    """A date is written YYYY-MM-DD: `0` is not 1970-01-01."""
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]
router = APIRouter(prefix="/api", responses={422: {"model": ErrorOut}})

QUERY_HELP = 'Words, "phrase", -not, a OR b, pre*.'
MAX_LIMIT = 100
MAX_OFFSET = 10_000
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


def search_out(page: SearchPage, limit: int, offset: int, base_url: str) -> SearchOut:
    result = page.result
    facets = None
    if page.facets:
        facets = FacetsOut(
            **{
                kind: [FacetValueOut(value=v.value, name=v.name, count=v.count) for v in values]
                for kind, values in page.facets.items()
            }
        )
    return SearchOut(
        query=result.query,
        total=result.total,
        total_exact=result.total_exact,
        limit=limit,
        offset=offset,
        relaxed=result.relaxed,
        corrected_query=result.corrected_query,
        heard_as=result.heard_as,
        notes=result.notes,
        elapsed_ms=result.elapsed_ms,
        mode=result.mode,
        blended=result.blended,
        semantic=result.semantic,
        talks=[named_out(m, page.talk_moments.get(m.talk.slug, 0)) for m in page.named],
        facets=facets,
        hits=[hit_out(h, base_url) for h in result.hits],
    )


def named_out(match: NamedMatch, moments: int) -> NamedTalkOut:
    card = match.talk
    url = f"/talks/{card.slug}"
    return NamedTalkOut(
        talk=TalkSummary(**_summary_fields(card)),
        matched=match.field,
        text=match.text,
        start=match.start,
        url=moment_url(card.slug, match.start) if match.start is not None else url,
        moments=moments,
    )


def hit_out(hit: Hit, base_url: str) -> HitOut:
    return HitOut(
        talk=TalkSummary(**_summary_fields(hit.talk)),
        start=hit.start,
        end=hit.end,
        speaker=hit.speaker,
        text=hit.text,
        snippet=hit.snippet,
        url=hit.url,
        absolute_url=base_url + hit.url,
        video_url=hit.video_url,
        score=hit.score,
        partial=hit.partial,
        transcript=TranscriptOut(
            kind=hit.transcript.kind, format=hit.transcript.format, language=hit.transcript.language
        )
        if hit.transcript
        else None,
        also_in=hit.also_in,
        match=hit.match,  # type: ignore[arg-type]
        sounds_like=[
            SoundAlikeOut(query=a.query, heard=a.heard, heard_in=a.heard_in)  # type: ignore[arg-type]
            for a in hit.sounds_like
        ],
    )


def base_url_of(request: Request) -> str:
    """The archive's address for absolute links: the configured one (TALKS_PUBLIC_URL), else
    the address this server was reached at, from the socket. Never the request's Host header:
    a proxy or cache passing a forged one on would hand out links to another site."""
    configured = request.app.state.settings.public_url
    if configured:
        return configured.rstrip("/")
    server = request.scope.get("server")
    if not server:
        return ""  # no socket (an in-process client): links stay relative
    host, port = server
    host = f"[{host}]" if ":" in host else host
    default = (request.url.scheme, port) in (("http", 80), ("https", 443))
    return f"{request.url.scheme}://{host}" + ("" if default else f":{port}")


class SearchParams(BaseModel):
    """The query string of /api/search, validated as one model (one pass, not one per field)."""

    q: str = Field("", max_length=MAX_QUERY_CHARS, description=QUERY_HELP)
    mode: Mode = Field(
        "auto",
        description="words: the query's words; meaning: what it is about (semantic search); "
        "auto: words for a quote, both blended for a query that may name a subject.",
    )
    limit: int = Field(10, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    talk: str | None = Field(None, max_length=200, description="Only this talk (slug).")
    speaker: str | None = Field(
        None,
        max_length=200,
        description="Only moments this person says: a slug (alexey-grigorev), a full name or "
        "a first name.",
    )
    topic: str | None = Field(None, max_length=200, description="Only talks on this topic (slug).")
    year: int | None = Field(None, ge=1900, le=2200, description="Only talks of this year.")
    date_from: IsoDate | None = Field(None, description="Only talks on or after this date.")
    date_to: IsoDate | None = Field(None, description="Only talks on or before this date.")
    facets: bool = Field(True, description="Count moments per speaker, topic, year and talk.")


def query_parameters(model: type[BaseModel]) -> list[dict[str, object]]:
    """A model's fields as the OpenAPI query parameters of a route that reads its query string
    itself (the same entries FastAPI writes for a query model)."""
    schema = model.model_json_schema()
    assert "$defs" not in schema, "a query parameter's schema refers to another model"
    required = set(schema.get("required", ()))
    out: list[dict[str, object]] = []
    for name, field_schema in schema["properties"].items():
        entry: dict[str, object] = {"name": name, "in": "query", "required": name in required}
        if "description" in field_schema:
            entry["description"] = field_schema["description"]
        entry["schema"] = field_schema
        out.append(entry)
    return out


def search_params(request: Request) -> SearchParams:
    """The query string validated in one call to pydantic. FastAPI's reading of a query model
    looks at each field's annotation again on every request: 0.24 ms of a search (its
    solve_dependencies, p50 in-process at 1,000 hours); 4 µs this way."""
    try:
        return SearchParams.model_validate(dict(request.query_params))
    except ValidationError as invalid:
        raise RequestValidationError(
            [{**e, "loc": ("query", *e["loc"])} for e in invalid.errors()]
        ) from None


@router.get(
    "/search",
    response_model=SearchOut,
    openapi_extra={"parameters": query_parameters(SearchParams)},
)
async def api_search(request: Request) -> Response:
    """Search every talk; each hit points at the second its first matched word is spoken."""
    p = search_params(request)
    service: SearchService = request.app.state.search_service
    wanted = SearchRequest(**p.model_dump(exclude={"facets"}))
    base_url = base_url_of(request)

    def run() -> bytes:
        # one trip to the thread pool for connection, search and JSON: the request's hot path
        catalogue = request.app.state.catalogue.current()
        page = run_search(service, request.app.state.store, catalogue, wanted, p.facets)
        return search_out(page, p.limit, p.offset, base_url).model_dump_json().encode()

    return Response(await run_in_threadpool(run), media_type="application/json")


def _summary_fields(talk: Talk | TalkRef | TalkCard) -> dict[str, object]:
    return dict(
        slug=talk.slug,
        title=talk.title,
        date=talk.date,
        speakers=list(talk.speakers or []),
        youtube_id=talk.youtube_id,
        video_url=getattr(talk, "video_url", None),
        media_url=getattr(talk, "media_url", None),
        url=f"/talks/{talk.slug}",
    )


SortParam = Annotated[
    Literal["newest", "oldest", "title", "longest"], Query(description="Order of the talks.")
]
SpeakerParam = Annotated[
    str | None, Query(max_length=200, description="Only talks of this person (slug or name).")
]
TopicParam = Annotated[str | None, Query(max_length=200, description="Only talks on this topic.")]
YearParam = Annotated[int | None, Query(ge=1900, le=2200, description="Only talks of this year.")]


def count_out(counts: dict[str, list[tuple[str, str, int]]]) -> dict[str, list[CountOut]]:
    return {
        kind: [CountOut(value=v, name=n, count=c) for v, n, c in values]
        for kind, values in counts.items()
    }


@router.get("/talks", response_model=TalkList)
def api_talks(
    catalogue: CatalogueDep,
    limit: Limit = 100,
    offset: Offset = 0,
    speaker: SpeakerParam = None,
    topic: TopicParam = None,
    year: YearParam = None,
    sort: SortParam = "newest",
    counts: Annotated[
        bool, Query(description="Also count the talks per speaker, topic and year.")
    ] = False,
) -> TalkList:
    """Talks, filtered by speaker, topic and year; with `counts=true`, the number of talks per
    speaker, topic and year among those the filters leave."""
    chosen = browse_talks(catalogue, speaker, topic, year, sort)
    return TalkList(
        total=len(chosen),
        limit=limit,
        offset=offset,
        talks=[talk_list_item(c) for c in chosen[offset : offset + limit]],
        counts=count_out(catalogue.facets(chosen)) if counts else None,
    )


def browse_talks(
    catalogue: Catalogue, speaker: str | None, topic: str | None, year: int | None, sort: str
) -> list[TalkCard]:
    """The talks the browse filters leave; a speaker or topic nobody has leaves none."""
    person = catalogue.person(speaker) if speaker else None
    if speaker and person is None:
        return []
    topic_slug = name_slug(topic) if topic else None
    return catalogue.select(person.slug if person else None, topic_slug, year, sort)


def talk_list_item(card: TalkCard) -> TalkListItem:
    return TalkListItem(
        **_summary_fields(card),
        duration=card.duration,
        topics=list(card.topics),
        segment_count=card.segment_count,
        word_count=card.word_count,
        chapter_count=len(card.chapters),
    )


def group_out(group: Group, pages: str) -> GroupOut:
    return GroupOut(
        slug=group.slug, name=group.name, talk_count=len(group.talks), url=f"{pages}/{group.slug}"
    )


@router.get("/speakers", response_model=PersonList)
def api_speakers(catalogue: CatalogueDep, limit: Limit = 100, offset: Offset = 0) -> PersonList:
    """Everyone who speaks in a talk or is listed as its speaker, most talks first."""
    people = list(catalogue.people.values())
    return PersonList(
        total=len(people),
        speakers=[group_out(p, "/speakers") for p in people[offset : offset + limit]],
    )


@router.get("/speakers/{slug}", response_model=PersonDetail, responses={404: {"model": ErrorOut}})
def api_speaker(
    catalogue: CatalogueDep, slug: Annotated[str, UrlPath(max_length=200)]
) -> PersonDetail:
    """One person (by slug or name) and their talks, newest first."""
    person = catalogue.person(slug)
    if person is None:
        raise AppError(404, f"No speaker is called {slug!r}.")
    return PersonDetail(
        **group_out(person, "/speakers").model_dump(),
        talks=[talk_list_item(c) for c in person.talks],
    )


@router.get("/topics", response_model=TopicList)
def api_topics(catalogue: CatalogueDep, limit: Limit = 100, offset: Offset = 0) -> TopicList:
    """Every topic talks are tagged with, most talks first."""
    topics = list(catalogue.topics.values())
    return TopicList(
        total=len(topics),
        topics=[group_out(t, "/topics") for t in topics[offset : offset + limit]],
    )


@router.get(
    "/talks/{slug}/related", response_model=RelatedOut, responses={404: {"model": ErrorOut}}
)
def api_related(
    request: Request,
    talk: TalkDep,
    t: Annotated[float, Query(ge=0, le=10**7, description="The second of the talk.")] = 0,
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> RelatedOut:
    """Moments of other talks about what this talk says at second `t`, nearest in meaning
    first (one per talk). Empty, with `semantic` saying why, when semantic search is off."""
    service: SearchService = request.app.state.search_service
    hits = service.related(request.app.state.store, talk.slug, t, limit)
    base_url = base_url_of(request)
    return RelatedOut(
        slug=talk.slug, t=t, semantic=service.semantic, hits=[hit_out(h, base_url) for h in hits]
    )


@router.get("/talks/{slug}", response_model=TalkDetail, responses={404: {"model": ErrorOut}})
def api_talk(
    talk: TalkDep,
    session: SessionDep,
    transcript: Annotated[
        str | None,
        Query(max_length=32, description="Whose segments: edited, whisper, captions, ..."),
    ] = None,
) -> TalkDetail:
    """One talk: metadata, chapters, its transcripts, and the segments of one of them (the
    best-worded by default), with each word's aligned second where known."""
    view = talk_view(talk, talk_transcripts(session, talk.slug), transcript)
    return TalkDetail(
        **_summary_fields(talk),
        description=talk.description,
        topics=talk.topics or [],
        duration=talk.duration,
        source_format=talk.source_format,
        chapters=[ChapterOut(title=c.title, start=c.start) for c in talk.chapters],
        transcripts=[
            TranscriptDetail(
                kind=tr.kind,
                format=tr.format,
                language=tr.language,
                source_file=Path(tr.source_path).name,
                content_hash=tr.content_hash,
                shown=view.chosen is not None and tr.id == view.chosen.id,
            )
            for tr in view.transcripts
        ],
        segments=[
            SegmentOut(
                start=s.start,
                end=s.end,
                speaker=s.speaker,
                text=s.text,
                word_times=list(aligned_times(s.word_times)) if s.word_times else None,
            )
            for s in view.segments
        ],
    )
