"""The catalogue in memory: grouping people and topics, choosing and ordering talks, and which
fields of a talk a query names."""

import datetime as dt
from pathlib import Path

from app.catalogue import Catalogue, CatalogueCache, TalkCard
from app.store import Store
from tests.conftest import ingest
from tests.search.test_meaning import write_talks
from tests.store.test_snapshot import TWO_TALKS


def card(
    i: int, title: str, speakers: tuple[str, ...], topics: tuple[str, ...], **kw: object
) -> TalkCard:
    fields: dict[str, object] = dict(
        id=i,
        slug=f"t{i}",
        title=title,
        date=dt.date(2020 + i, 1, 1),
        speakers=speakers,
        topics=topics,
        description=None,
        duration=600.0 * i,
        youtube_id=None,
        chapters=(),
    )
    fields.update(kw)
    return TalkCard(**fields)  # type: ignore[arg-type]


CARDS = [
    card(1, "Compilers for everyone", ("Grace Hopper", "Alexey Grigorev"), ("Compilers",)),
    card(
        2,
        "The analytical engine",
        ("Ada Lovelace", "Alexey Grigorev"),
        ("engines", "history"),
        chapters=(("Notes on the engine", 0.0), ("Bernoulli numbers by machine", 754.0)),
        description="A long conversation about weaving algebraic patterns with punched cards.",
    ),
    card(3, "Breaking codes", ("Alan Turing", "Alexey Grigorev"), ("history", "compilers")),
]


def test_people_and_topics_are_grouped_by_slug_most_talks_first() -> None:
    cat = Catalogue(CARDS)
    assert list(cat.people)[0] == "alexey-grigorev"
    assert len(cat.people["alexey-grigorev"].talks) == 3
    assert [c.slug for c in cat.topics["compilers"].talks] == ["t3", "t1"]  # newest first
    assert cat.topics["compilers"].name in ("Compilers", "compilers")


def test_select_filters_and_sorts() -> None:
    cat = Catalogue(CARDS)
    assert [c.slug for c in cat.select()] == ["t3", "t2", "t1"]
    assert [c.slug for c in cat.select(sort="oldest")] == ["t1", "t2", "t3"]
    assert [c.slug for c in cat.select(sort="title")] == ["t3", "t1", "t2"]
    assert [c.slug for c in cat.select(sort="longest")] == ["t3", "t2", "t1"]
    assert [c.slug for c in cat.select(speaker="ada-lovelace")] == ["t2"]
    assert [c.slug for c in cat.select(topic="history", year=2023)] == ["t3"]
    assert cat.select(speaker="nobody") == []


def test_a_person_by_slug_name_or_first_name() -> None:
    cat = Catalogue(CARDS)
    for asked in ("ada-lovelace", "Ada Lovelace", "ada"):
        person = cat.person(asked)
        assert person is not None and person.name == "Ada Lovelace"
    assert cat.person("Charles") is None


def test_named_finds_titles_speakers_and_chapters_not_quotes() -> None:
    cat = Catalogue(CARDS)
    first = cat.named("the analytical engine")[0]
    assert (first.talk.slug, first.field) == ("t2", "title")
    grace = cat.named("grace hopper")[0]
    assert (grace.talk.slug, grace.field, grace.text) == ("t1", "speaker", "Grace Hopper")
    chapter = cat.named("Bernoulli numbers by machine")[0]
    assert (chapter.field, chapter.start) == ("chapter", 754.0)
    assert cat.named("weaving algebraic patterns punched")[0].field == "description"
    assert cat.named("patterns") == []  # one word of a long description names nothing
    assert cat.named("how to in") == []  # stop words alone name nothing here
    assert cat.named("") == []


def test_facets_count_talks_per_value() -> None:
    cat = Catalogue(CARDS)
    counts = cat.facets(cat.select(topic="history"))
    assert ("alexey-grigorev", "Alexey Grigorev", 2) in counts["speakers"]
    assert counts["years"] == [("2023", "2023", 1), ("2022", "2022", 1)]


def test_a_running_servers_catalogue_shows_the_newest_talk_written_again(
    db: Store, tmp_path: Path
) -> None:
    """SQLite gives the newest talk written again (a changed file) the id it had: the
    catalogue still sees the change."""
    files = write_talks(tmp_path / "files", TWO_TALKS)
    ingest(db, files)
    cache = CatalogueCache(db, check_seconds=0)
    assert cache.current().by_slug["b"].segment_count == 1
    ingest(db, write_talks(files, {"b": ["the second talk says goodbye moon", "and stars"]}))
    assert cache.current().by_slug["b"].segment_count == 2
