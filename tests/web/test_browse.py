"""Browsing and narrowing down, through the app on both backends: talks, speakers and topics
with counts, talks named by the query, facets, the speaker filter, and paging that holds."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.store import Store
from tests.conftest import ingest
from tests.library import GUESTS, TALKS, chapter_title, talk_slug, talk_title, write_library


@pytest.fixture
def library(db_url: str, db: Store, tmp_path: Path) -> Iterator[TestClient]:
    report = ingest(db, write_library(tmp_path / "library"))
    assert report.failed == 0, report.errors
    app = create_app(Settings(db=db_url, index_dir=str(tmp_path / "indexes")))
    with TestClient(app) as test_client:
        yield test_client
    app.state.store.dispose()


def test_talks_list_filters_sorts_and_counts(library: TestClient) -> None:
    assert library.get("/api/talks").json()["counts"] is None  # counted only when asked
    body = library.get("/api/talks", params={"counts": "true"}).json()
    assert body["total"] == TALKS and len(body["talks"]) == TALKS
    counts = {c["value"]: c["count"] for c in body["counts"]["speakers"]}

    assert counts["alexey-grigorev"] == TALKS and counts["ada-lovelace"] == 2
    ada = library.get("/api/talks", params={"speaker": "ada-lovelace"}).json()
    assert {t["slug"] for t in ada["talks"]} == {talk_slug(0), talk_slug(4)}
    assert library.get("/api/talks", params={"speaker": "Ada"}).json()["total"] == 2
    engines = library.get("/api/talks", params={"topic": "engines", "year": 2021}).json()
    assert [t["slug"] for t in engines["talks"]] == [talk_slug(0)]
    assert library.get("/api/talks", params={"speaker": "nobody-at-all"}).json()["total"] == 0
    titles = [
        t["title"] for t in library.get("/api/talks", params={"sort": "title"}).json()["talks"]
    ]
    assert titles == sorted(titles, key=str.casefold)
    dates = [
        t["date"] for t in library.get("/api/talks", params={"sort": "oldest"}).json()["talks"]
    ]
    assert dates == sorted(dates)
    paged = library.get("/api/talks", params={"limit": 3, "offset": 6}).json()
    assert paged["total"] == TALKS and len(paged["talks"]) == 2


def test_each_person_is_listed_once_under_one_name(library: TestClient) -> None:
    body = library.get("/api/speakers").json()
    names = [p["name"] for p in body["speakers"]]
    assert sorted(names) == sorted(["Alexey Grigorev", *(g[1] for g in GUESTS)])
    host = body["speakers"][0]
    assert host == {
        "slug": "alexey-grigorev",
        "name": "Alexey Grigorev",
        "talk_count": TALKS,
        "url": "/speakers/alexey-grigorev",
    }
    topics = {t["slug"]: t["talk_count"] for t in library.get("/api/topics").json()["topics"]}
    assert topics["history"] == TALKS and topics["engines"] == 2


@pytest.mark.parametrize(
    ("q", "slug", "matched"),
    [
        ("Grace Hopper", talk_slug(5), "speaker"),  # her newer talk, then her other one
        (talk_title(6), talk_slug(6), "title"),
        (chapter_title(3), talk_slug(3), "chapter"),
    ],
)
def test_a_query_naming_a_talk_puts_it_first(
    library: TestClient, q: str, slug: str, matched: str
) -> None:
    body = library.get("/api/search", params={"q": q}).json()
    first = body["talks"][0]
    assert first["talk"]["slug"] == slug and first["matched"] == matched
    if matched == "speaker":
        assert body["talks"][1]["talk"]["slug"] == talk_slug(1)
    if matched == "chapter":
        assert first["start"] == 0.0 and first["url"] == f"/talks/{slug}?t=0"


def test_a_quote_names_no_talk(library: TestClient) -> None:
    body = library.get("/api/search", params={"q": "weaves pattern 7 while"}).json()
    assert body["talks"] == [] and body["hits"]


def test_speaker_filter_keeps_only_what_that_person_says(library: TestClient) -> None:
    for speaker, name in [("ada-lovelace", "Ada Lovelace"), ("alexey", "Alexey Grigorev")]:
        params = {"q": "analytical engine", "speaker": speaker, "limit": 50}
        body = library.get("/api/search", params=params).json()
        assert body["hits"] and {h["speaker"] for h in body["hits"]} == {name}
    inline = library.get("/api/search", params={"q": "analytical speaker:Grace"}).json()
    assert {h["speaker"] for h in inline["hits"]} == {"Grace Hopper"}


def test_facets_count_moments_and_filters_combine(library: TestClient) -> None:
    body = library.get("/api/search", params={"q": "analytical engine", "limit": 5}).json()
    facets = body["facets"]
    speakers = {f["value"]: f["count"] for f in facets["speakers"]}
    assert set(speakers) == {"alexey-grigorev", *(g[1].lower().replace(" ", "-") for g in GUESTS)}
    years = {f["value"] for f in facets["years"]}
    assert years == {"2021", "2022", "2023", "2024"}
    topic = library.get(
        "/api/search", params={"q": "analytical engine", "topic": "compilers", "year": 2023}
    ).json()
    assert topic["hits"] and {h["talk"]["slug"] for h in topic["hits"]} == {talk_slug(5)}


def test_paging_lists_every_moment_once_with_one_total(library: TestClient) -> None:
    seen: set[tuple[str, float]] = set()
    totals = set()
    for offset in range(0, 200, 10):
        params = {"q": "analytical engine", "limit": 10, "offset": offset, "facets": "false"}
        body = library.get("/api/search", params=params).json()
        totals.add(body["total"])
        keys = {(h["talk"]["slug"], h["start"]) for h in body["hits"]}
        assert len(keys) == len(body["hits"]) and not keys & seen, offset
        seen |= keys
    assert len(totals) == 1 and len(seen) == totals.pop() > 40


def test_first_page_holds_at_most_three_moments_of_a_talk(library: TestClient) -> None:
    hits = library.get("/api/search", params={"q": "analytical engine", "limit": 20}).json()["hits"]
    per_talk: dict[str, int] = {}
    for h in hits:
        per_talk[h["talk"]["slug"]] = per_talk.get(h["talk"]["slug"], 0) + 1
    assert len(hits) == 20 and max(per_talk.values()) <= 3
    inside = library.get(
        "/api/search", params={"q": "analytical engine", "limit": 20, "talk": talk_slug(2)}
    ).json()["hits"]
    assert len(inside) > 3 and {h["talk"]["slug"] for h in inside} == {talk_slug(2)}


def test_hits_carry_absolute_links(library: TestClient) -> None:
    hit = library.get("/api/search", params={"q": "analytical"}).json()["hits"][0]
    assert hit["absolute_url"] == "http://testserver" + hit["url"]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("/talks", talk_title(7)),
        ("/talks?speaker=grace-hopper&sort=oldest", talk_title(5)),
        ("/speakers", "Katherine Johnson"),
        ("/speakers/alan-turing", talk_title(2)),
        ("/topics", "cryptography"),
        ("/topics/navigation", talk_title(3)),
        ("/", "Latest talks"),
    ],
)
def test_browse_pages_list_what_the_archive_holds(
    library: TestClient, path: str, text: str
) -> None:
    page = library.get(path)
    assert page.status_code == 200 and text in page.text


@pytest.mark.parametrize("path", ["/speakers/nobody", "/topics/nothing"])
def test_unknown_person_or_topic_is_a_404_page(library: TestClient, path: str) -> None:
    page = library.get(path)
    assert page.status_code == 404 and "<html" in page.text


def test_search_page_shows_filters_and_the_pager_keeps_them(library: TestClient) -> None:
    page = library.get("/search", params={"q": "analytical engine", "speaker": "alexey-grigorev"})
    text = page.text
    assert "Speaker: Alexey Grigorev" in text and "Clear filters" in text
    assert 'href="/search?speaker=alexey-grigorev&amp;q=analytical+engine&amp;page=2"' in text
    assert '<input type="hidden" name="speaker" value="alexey-grigorev">' in text  # new queries too
    unfiltered = library.get("/search", params={"q": "analytical engine"}).text
    assert 'href="/search?q=analytical+engine&amp;speaker=grace-hopper"' in unfiltered
    assert "more in this talk" in unfiltered


def test_speaker_alone_opens_their_page(library: TestClient) -> None:
    for params in ({"speaker": "Alan"}, {"q": "speaker:alan-turing"}):
        page = library.get("/search", params=params, follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/speakers/alan-turing"


def test_one_speaker_and_their_talks(library: TestClient) -> None:
    body = library.get("/api/speakers/ada-lovelace").json()
    assert body["name"] == "Ada Lovelace" and body["talk_count"] == 2
    assert {t["slug"] for t in body["talks"]} == {talk_slug(0), talk_slug(4)}
    assert body["url"] == "/speakers/ada-lovelace"
    assert library.get("/api/speakers/Ada").json()["slug"] == "ada-lovelace"
    missing = library.get("/api/speakers/nobody-here")
    assert missing.status_code == 404 and "nobody-here" in str(missing.json()["error"])
