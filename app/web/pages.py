"""HTML pages: home, search (works without JavaScript), browsing talks, speakers and topics,
and the talk page opened at a moment."""

import re
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.catalogue import SORTS, Catalogue
from app.models import Talk
from app.resources import resource_dir
from app.search.language.plan import Filters
from app.search.language.query import parse_query
from app.search.present.results import Hit
from app.search.service import Mode
from app.store.catalog import talk_transcripts
from app.text.analysis import STOP_WORDS
from app.text.links import source_video_url
from app.web.api import MAX_QUERY_CHARS, IsoDate, base_url_of, browse_talks
from app.web.deps import CatalogueDep, ServiceDep, SessionDep, StoreDep, TalkDep
from app.web.errors import AppError
from app.web.searching import SearchRequest, run_search, search_filters
from app.web.talk_view import (
    current_index,
    in_mark_window,
    marked_sequence,
    marked_terms,
    marked_text,
    marked_words,
    quote_marks,
    quote_terms,
    talk_view,
)

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20


def group_by_talk(hits: list[Hit]) -> list[tuple[Hit, list[Hit]]]:
    """Hits grouped under their talk, talks in the order of their best hit."""
    groups: dict[str, list[Hit]] = {}
    for hit in hits:
        groups.setdefault(hit.talk.slug, []).append(hit)
    return [(found[0], found) for found in groups.values()]


def _render(request: Request, name: str, status_code: int = 200, **context: object) -> HTMLResponse:
    template = request.app.state.templates.get_template(name)
    return HTMLResponse(template.render(request=request, **context), status_code=status_code)


def last_page(total: int, page_size: int) -> int:
    return max(1, -(-total // page_size))


HOME_TALKS = 6
HOME_SPEAKERS = 12
HOME_TOPICS = 24
TALKS_PAGE = 24
OTHER_MOMENTS = 10  # the query's moments listed beside a talk opened from a search
FilterText = Annotated[str | None, Query(max_length=200)]
# a form's "any year" sends year= (empty): a string here, read as a number below
Year = Annotated[str | None, Query(max_length=4, pattern=r"^(\d{4})?$")]


def year_of(value: str | None) -> int | None:
    return int(value) if value else None


@router.get("/", response_class=HTMLResponse)
@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    store: StoreDep,
    service: ServiceDep,
    catalogue: CatalogueDep,
    q: str = "",
    page: Annotated[int, Query(ge=1, le=500)] = 1,
    talk: FilterText = None,
    speaker: FilterText = None,
    topic: FilterText = None,
    year: Year = None,
    date_from: IsoDate | None = None,
    date_to: IsoDate | None = None,
    mode: Annotated[Mode, Query()] = "auto",
    typing: bool = False,
) -> HTMLResponse:
    """The home page (what the archive holds) without a query; results with one. `typing`
    (search as you type): the last word is read as the start of a word."""
    notes = []
    if len(q) > MAX_QUERY_CHARS:
        # a pasted page of text: search its first words, as the README promises
        q = q[:MAX_QUERY_CHARS].rsplit(" ", 1)[0]
        notes.append(f"Your text was long: searching its first {MAX_QUERY_CHARS} characters.")
    wanted = SearchRequest(
        q=as_typed(q) if typing else q,
        mode=mode,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
        talk=talk or None,
        speaker=speaker or None,
        topic=topic or None,
        year=year_of(year),
        date_from=date_from,
        date_to=date_to,
    )
    filters = wanted.filter_params()
    if not q.strip() and not filters:
        return _home(request, catalogue)
    alone = _speaker_alone(q, wanted)
    if alone:
        person = catalogue.person(alone)
        if person is not None:  # a speaker alone: their talks, and a box to search what they said
            return RedirectResponse(f"/speakers/{person.slug}", status_code=303)  # type: ignore[return-value]
    # typing: the first block only, no facets (fast); the page settled on is whole
    found = (
        run_search(service, store, catalogue, wanted, facets=not typing, whole=not typing)
        if q.strip()
        else None
    )
    if found is not None:
        found.result.notes[:0] = notes
    if mode != "auto":
        filters["mode"] = mode  # kept by the pager, the facets and the next search
    past_end = None
    if found is not None and page > 1 and not found.result.hits:
        past_end = last_page(found.result.total, PAGE_SIZE)  # a page no pager links to
    return _render(
        request,
        "search.html",
        status_code=404 if past_end else 200,
        past_end=past_end,
        q=q,
        found=found,
        result=found.result if found else None,
        groups=group_by_talk(found.result.hits) if found else [],
        page=page,
        page_size=PAGE_SIZE,
        filters=filters,
        active=found.active if found else search_filters(wanted, catalogue)[1],
        query_string=_query_string,
        mode=mode,
        semantic=service.semantic,
        whole=not typing,
    )


_TYPED_WORD = re.compile(r"\w{2,}")  # a prefix of two letters or more


def as_typed(q: str) -> str:
    """What a query being typed asks for: its words without the very common ones ("to", "for":
    at 10,000 hours they cost most of a search and rarely decide what comes first), and the word
    being typed read as a prefix ('feature sto' -> 'feature sto*') unless the query ends with a
    space. A query with quotes or OR is asked as it is, and one of common words alone. The
    search the person settles on is asked whole, without `typing`."""
    words = q.split()
    if '"' in q or "OR" in words:
        return q
    kept = [w for w in words if w.lower() not in STOP_WORDS]
    if not kept:
        return q
    typing_last = kept[-1] is words[-1] and not q[-1:].isspace()
    if typing_last and _TYPED_WORD.fullmatch(kept[-1]):
        kept[-1] += "*"
    return " ".join(kept)


def _speaker_alone(q: str, wanted: SearchRequest) -> str | None:
    """The person asked for when the search names a speaker and nothing else."""
    parsed = parse_query(q)
    if not parsed.is_empty or parsed.must_not or set(wanted.filter_params()) - {"speaker"}:
        return None
    names = parsed.speakers + ([wanted.speaker] if wanted.speaker else [])
    return names[0] if len(names) == 1 else None


def _query_string(params: dict[str, object], **changes: object) -> str:
    """`params` with `changes` (None removes a key) as a URL query string."""
    merged = {**params, **changes}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "")})


def _home(request: Request, catalogue: Catalogue) -> HTMLResponse:
    hours = sum(c.duration or 0.0 for c in catalogue.talks) / 3600
    return _render(
        request,
        "home.html",
        q="",
        latest=catalogue.talks[:HOME_TALKS],
        people=list(catalogue.people.values())[:HOME_SPEAKERS],
        topics=list(catalogue.topics.values())[:HOME_TOPICS],
        totals=dict(
            talks=len(catalogue.talks),
            speakers=len(catalogue.people),
            topics=len(catalogue.topics),
            hours=hours,
        ),
    )


@router.get("/talks", response_class=HTMLResponse)
def talks_page(
    request: Request,
    catalogue: CatalogueDep,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    speaker: FilterText = None,
    topic: FilterText = None,
    year: Year = None,
    sort: Literal["newest", "oldest", "title", "longest"] = "newest",
) -> HTMLResponse:
    chosen = browse_talks(catalogue, speaker or None, topic or None, year_of(year), sort)
    person = catalogue.person(speaker) if speaker else None
    topic_group = catalogue.topic(topic) if topic else None
    params = {
        "speaker": person.slug if person else speaker,
        "topic": topic_group.slug if topic_group else topic,
        "year": year_of(year),
        "sort": None if sort == "newest" else sort,
    }
    last = last_page(len(chosen), TALKS_PAGE)
    return _render(
        request,
        "talks.html",
        status_code=404 if page > last else 200,
        past_end=last if page > last else None,
        q="",
        talks=chosen[(page - 1) * TALKS_PAGE : page * TALKS_PAGE],
        total=len(chosen),
        page=page,
        page_size=TALKS_PAGE,
        sort=sort,
        sorts=list(SORTS),
        counts=_choices(catalogue, speaker or None, topic or None, year_of(year)),
        params=params,
        active=dict(
            speaker=person.name if person else speaker,
            topic=topic_group.name if topic_group else topic,
            year=year_of(year),
        ),
        query_string=_query_string,
    )


def _choices(
    catalogue: Catalogue, speaker: str | None, topic: str | None, year: int | None
) -> dict[str, list[tuple[str, str, int]]]:
    """Each menu's choices counted over the talks the other menus leave, so a choice can be
    changed without clearing it first."""
    return {
        "speakers": catalogue.facets(browse_talks(catalogue, None, topic, year, "newest"))[
            "speakers"
        ],
        "topics": catalogue.facets(browse_talks(catalogue, speaker, None, year, "newest"))[
            "topics"
        ],
        "years": catalogue.facets(browse_talks(catalogue, speaker, topic, None, "newest"))["years"],
    }


@router.get("/speakers", response_class=HTMLResponse)
def speakers_page(request: Request, catalogue: CatalogueDep) -> HTMLResponse:
    people = sorted(catalogue.people.values(), key=lambda p: p.name.casefold())
    return _render(request, "speakers.html", q="", people=people)


@router.get("/speakers/{slug}", response_class=HTMLResponse)
def speaker_page(
    request: Request, catalogue: CatalogueDep, slug: Annotated[str, Path(max_length=200)]
) -> HTMLResponse:
    person = catalogue.people.get(slug)
    if person is None:
        raise AppError(404, f"No speaker is called {slug!r}.")
    topics = catalogue.facets(person.talks)["topics"][:HOME_TOPICS]
    return _render(request, "speaker.html", q="", person=person, topics=topics)


@router.get("/topics", response_class=HTMLResponse)
def topics_page(request: Request, catalogue: CatalogueDep) -> HTMLResponse:
    topics = sorted(catalogue.topics.values(), key=lambda t: t.name.casefold())
    return _render(request, "topics.html", q="", topics=topics)


@router.get("/topics/{slug}", response_class=HTMLResponse)
def topic_page(
    request: Request, catalogue: CatalogueDep, slug: Annotated[str, Path(max_length=200)]
) -> HTMLResponse:
    topic = catalogue.topic(slug)
    if topic is None:
        raise AppError(404, f"No topic is called {slug!r}.")
    people = catalogue.facets(topic.talks)["speakers"][:HOME_SPEAKERS]
    return _render(request, "topic.html", q="", topic=topic, people=people)


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    """Browsers ask /favicon.ico whatever the page links: the same icon, cached a day."""
    icon = (resource_dir("static") / "favicon.svg").read_bytes()
    return Response(icon, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})


@router.get("/talks/{slug}", response_class=HTMLResponse)
def talk_page(
    request: Request,
    talk: TalkDep,
    session: SessionDep,
    store: StoreDep,
    service: ServiceDep,
    catalogue: CatalogueDep,
    t: Annotated[float | None, Query(ge=0, le=10**7)] = None,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "",
    transcript: Annotated[str | None, Query(max_length=32)] = None,
) -> HTMLResponse:
    """The talk opened at second `t`; arriving from a search (`q`), the quote's words are
    marked and the query's other moments in this talk listed."""
    if t is not None and talk.duration:
        t = min(t, float(talk.duration))  # ?t=99999 opens the talk's end, not hour 27
    view = talk_view(talk, talk_transcripts(session, talk.slug), transcript)

    others = []
    terms = quote_terms(q)
    current = current_index(view.segments, t)
    marks: dict[int, set[int]] = {}
    if q.strip():
        found = service.search(store, q, filters=Filters(talk=talk.slug), limit=OTHER_MOMENTS)
        others = [h for h in found.hits if t is None or abs(h.start - t) >= 1.0]
        here = [h for h in found.hits if t is not None and abs(h.start - t) < 1.0]
        # the words the hit marked, where they stand: in the edited text, those standing for
        # misheard captions; failing that, the query's words near the moment
        if here:
            marks = quote_marks(view.segments, current, t, marked_sequence(here[0].snippet))
        terms |= {w for h in here for w in marked_terms(h.snippet)}
    related = service.related(store, talk.slug, t or 0.0) if service.meaning else None
    chapter_at = {}
    for chapter in talk.chapters:
        index = current_index(view.segments, chapter.start)
        chapter_at.setdefault(index or 0, []).append(chapter)
    return _render(
        request,
        "talk.html",
        talk=talk,
        # its topics as the catalogue shows them (one spelling for a topic written two ways)
        topics=card.topics if (card := catalogue.by_slug.get(talk.slug)) else talk.topics or [],
        view=view,
        t=t,
        q=q,
        current=current,
        player=player_kind(talk),
        terms=terms,
        marks=marks,
        marked_words=marked_words,
        others=others,
        related=related,
        chapter_at=chapter_at,
        marked_text=marked_text,
        in_mark_window=in_mark_window,
        watch_url=source_video_url(talk.youtube_id, talk.video_url, None, t or 0),
        share_base=base_url_of(request),
    )


AUDIO_SUFFIXES = (".wav", ".mp3", ".ogg", ".oga", ".m4a", ".aac", ".flac", ".opus")


def player_kind(talk: Talk) -> str | None:
    """youtube, audio or video: which player the talk page embeds."""
    if talk.youtube_id:
        return "youtube"
    if talk.media_url:
        path = talk.media_url.split("?", 1)[0].split("#", 1)[0].lower()
        return "audio" if path.endswith(AUDIO_SUFFIXES) else "video"
    return None
