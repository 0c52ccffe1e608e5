"""The catalogue in memory: grouping people and topics, choosing and ordering talks, and which
fields of a talk a query names."""

import datetime as dt
from pathlib import Path

import pytest

from app.catalogue import Catalogue, CatalogueCache, TalkCard, read_topic_aliases
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


VARIANTS = [
    card(1, "a", (), ("Career Transitions", "Startups")),
    card(2, "b", (), ("career transition", "startup", "mentoring")),
    card(3, "c", (), ("career transition", "Career Growth", "mentorship", "analysis")),
    card(4, "d", (), ("career growth", "analyses", "business")),
]


def test_case_and_plural_variants_are_one_topic_shown_one_way() -> None:
    cat = Catalogue(VARIANTS)
    transition = cat.topics["career-transition"]
    assert transition.name == "career transition"  # the most common spelling
    assert [c.slug for c in transition.talks] == ["t3", "t2", "t1"]
    assert cat.topic("Career Transitions") is transition
    assert cat.topic("career-transitions") is transition  # an old link still opens it
    assert {c.slug for c in cat.topic("startups").talks} == {"t1", "t2"}  # type: ignore[union-attr]
    growth = cat.topic("career growth")
    assert growth is not None and len(growth.talks) == 2
    assert all(growth.name in c.topics for c in growth.talks)  # cards show the one spelling
    assert "business" in cat.topics and "busines" not in cat.topics  # "ss" is no plural
    assert cat.topic("mentorship") is not cat.topic("mentoring")  # not variants: an alias joins
    assert cat.select(topic="career-transitions") == cat.select(topic="career-transition")


def test_an_alias_file_joins_topics(tmp_path: Path) -> None:
    aliases = tmp_path / "topics.yaml"
    aliases.write_text("mentoring: [mentorship, Mentor]\nanalysis: [analyses]\n")
    cat = Catalogue(VARIANTS, read_topic_aliases(aliases))
    mentoring = cat.topic("mentorship")
    assert mentoring is cat.topics["mentoring"] and len(mentoring.talks) == 2
    assert len(cat.topics) == 6  # transition, startup, mentoring, growth, analysis, business
    (tmp_path / "bad.yaml").write_text("- just a list\n")
    with pytest.raises(ValueError, match="must be a mapping"):
        read_topic_aliases(tmp_path / "bad.yaml")
