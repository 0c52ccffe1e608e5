"""HTML pages: search (works without JavaScript) and the talk page opened at a moment."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from app.models import Talk
from app.search.results import Hit
from app.store.catalog import archive_totals
from app.web.api import MAX_QUERY_CHARS, search_filters
from app.web.deps import ServiceDep, SessionDep, StoreDep, TalkDep

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20


def group_by_talk(hits: list[Hit]) -> list[tuple[Hit, list[Hit]]]:
    """Hits grouped under their talk, talks in the order of their best hit."""
    groups: dict[str, list[Hit]] = {}
    for hit in hits:
        groups.setdefault(hit.talk.slug, []).append(hit)
    return [(found[0], found) for found in groups.values()]


def _render(request: Request, name: str, **context: object) -> HTMLResponse:
    template = request.app.state.templates.get_template(name)
    return HTMLResponse(template.render(request=request, **context))


@router.get("/", response_class=HTMLResponse)
@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    store: StoreDep,
    session: SessionDep,
    service: ServiceDep,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "",
    page: Annotated[int, Query(ge=1, le=500)] = 1,
    talk: Annotated[str | None, Query(max_length=200)] = None,
    speaker: Annotated[str | None, Query(max_length=200)] = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> HTMLResponse:
    result = None
    if q.strip():
        filters = search_filters(talk, speaker, date_from, date_to)
        result = service.search(
            store, q, filters=filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
    talks, segments, hours = archive_totals(session)
    return _render(
        request,
        "search.html",
        q=q,
        result=result,
        groups=group_by_talk(result.hits) if result else [],
        page=page,
        page_size=PAGE_SIZE,
        filters=dict(talk=talk, speaker=speaker, date_from=date_from, date_to=date_to),
        totals=dict(talks=talks, segments=segments, hours=hours),
    )


@router.get("/talks/{slug}", response_class=HTMLResponse)
def talk_page(
    request: Request,
    talk: TalkDep,
    t: Annotated[float | None, Query(ge=0, le=10**7)] = None,
) -> HTMLResponse:
    current = None
    if t is not None:
        for i, seg in enumerate(talk.segments):
            if seg.start <= t + 0.5:
                current = i
            else:
                break
    return _render(request, "talk.html", talk=talk, t=t, current=current, player=player_kind(talk))


AUDIO_SUFFIXES = (".wav", ".mp3", ".ogg", ".oga", ".m4a", ".aac", ".flac", ".opus")


def player_kind(talk: Talk) -> str | None:
    """youtube, audio or video: which player the talk page embeds."""
    if talk.youtube_id:
        return "youtube"
    if talk.media_url:
        path = talk.media_url.split("?", 1)[0].split("#", 1)[0].lower()
        return "audio" if path.endswith(AUDIO_SUFFIXES) else "video"
    return None
