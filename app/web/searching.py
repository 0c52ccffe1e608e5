"""One search as the page and the API run it: filters from the catalogue's names, the quote
search, the talks the query names, and facets (moments per speaker, topic, year and talk)."""

import datetime as dt
from dataclasses import dataclass, field, fields

from app.catalogue import Catalogue, NamedMatch
from app.search.language.plan import Filters
from app.search.present.results import SearchResult
from app.search.service import Mode, SearchService
from app.store import Store
from app.text.links import name_slug

FACET_VALUES = 12  # most values listed per facet
PAGING = ("q", "mode", "limit", "offset")  # a search's fields that are not filters


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    mode: Mode = "auto"
    limit: int = 10
    offset: int = 0
    talk: str | None = None
    speaker: str | None = None
    topic: str | None = None
    year: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def filter_params(self) -> dict[str, str]:
        """The filters as URL parameters (what the pager and the facet links carry)."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in PAGING}
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


@dataclass(frozen=True)
class FacetValue:
    value: str  # what the filter parameter takes
    name: str
    count: int


@dataclass
class SearchPage:
    result: SearchResult
    named: list[NamedMatch] = field(default_factory=list)
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    talk_moments: dict[str, int] = field(default_factory=dict)  # slug -> moments found
    active: dict[str, str] = field(default_factory=dict)  # filter -> the name it shows


def search_filters(request: SearchRequest, catalogue: Catalogue) -> tuple[Filters, dict[str, str]]:
    """The request's filters for the engine, and each active filter's display name."""
    active: dict[str, str] = {}
    speakers: tuple[str, ...] = ()
    if request.speaker:
        person = catalogue.person(request.speaker)
        name = person.name if person else request.speaker
        speakers, active["speaker"] = (name,), name
    talks = None
    if request.topic:
        topic = catalogue.topic(request.topic)
        talks = tuple(c.slug for c in topic.talks) if topic else ()
        active["topic"] = topic.name if topic else request.topic
    date_from, date_to = request.date_from, request.date_to
    if request.year:
        year_start, year_end = dt.date(request.year, 1, 1), dt.date(request.year, 12, 31)
        date_from = max(date_from, year_start) if date_from else year_start
        date_to = min(date_to, year_end) if date_to else year_end
        active["year"] = str(request.year)
    if request.talk:
        card = catalogue.by_slug.get(request.talk)
        active["talk"] = card.title if card else request.talk
    if request.date_from:
        active["date_from"] = f"from {request.date_from}"
    if request.date_to:
        active["date_to"] = f"until {request.date_to}"
    filters = Filters(
        talk=request.talk or None,
        talks=talks,
        speakers=speakers,
        date_from=date_from.isoformat() if date_from else None,
        date_to=date_to.isoformat() if date_to else None,
    )
    return filters, active


def run_search(
    service: SearchService,
    store: Store,
    catalogue: Catalogue,
    request: SearchRequest,
    facets: bool = True,
    whole: bool = False,
) -> SearchPage:
    """`whole`: a search page, whose total, facets and pager must agree (SearchService)."""

    filters, active = search_filters(request, catalogue)
    result = service.search(
        store,
        request.q,
        filters=filters,
        limit=request.limit,
        offset=request.offset,
        facets=facets,
        mode=request.mode,
        whole=whole,
    )
    page = SearchPage(result=result, active=active)
    if request.offset == 0 and not request.talk:
        page.named = [m for m in catalogue.named(request.q) if _passes(m, request, catalogue)]
    by_id = catalogue.by_id
    page.talk_moments = {
        by_id[talk_id].slug: n for talk_id, n in result.talk_moments.items() if talk_id in by_id
    }
    if facets:
        page.facets = _facets(result, catalogue)
    return page


def _passes(match: NamedMatch, request: SearchRequest, catalogue: Catalogue) -> bool:
    """A named talk is shown only when it is inside the chosen filters."""
    card = match.talk
    if request.speaker:
        person = catalogue.person(request.speaker)
        if person is None or card not in person.talks:
            return False
    if request.topic and name_slug(request.topic) not in {name_slug(t) for t in card.topics}:
        return False
    if request.year and card.year != request.year:
        return False
    return True


def _facets(result: SearchResult, catalogue: Catalogue) -> dict[str, list[FacetValue]]:
    topics: dict[str, int] = {}
    years: dict[str, int] = {}
    talks: list[FacetValue] = []
    for talk_id, n in result.talk_moments.items():
        card = catalogue.by_id.get(talk_id)
        if card is None:
            continue
        talks.append(FacetValue(card.slug, card.title, n))
        for topic in dict.fromkeys(name_slug(t) for t in card.topics):
            topics[topic] = topics.get(topic, 0) + n
        if card.year:
            years[str(card.year)] = years.get(str(card.year), 0) + n
    speakers: dict[str, tuple[str, int]] = {}
    for name, n in result.speaker_moments.items():
        slug = name_slug(name)
        known = catalogue.people.get(slug)
        shown, count = speakers.get(slug, (known.name if known else name, 0))
        speakers[slug] = (shown, count + n)

    def top(values: list[FacetValue]) -> list[FacetValue]:
        return sorted(values, key=lambda v: (-v.count, v.name.casefold()))[:FACET_VALUES]

    return {
        "speakers": top([FacetValue(s, name, n) for s, (name, n) in speakers.items()]),
        "topics": top([FacetValue(s, catalogue.topics[s].name, n) for s, n in topics.items()]),
        "years": sorted(
            (FacetValue(y, y, n) for y, n in years.items()), key=lambda v: v.value, reverse=True
        ),
        "talks": top(talks),
    }
