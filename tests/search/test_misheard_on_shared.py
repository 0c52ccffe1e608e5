"""Misheard words on the shared corpus: a quote the captions misheard ranks above partial literal
readings, only the words standing for the query's are marked, and a typo is corrected rather
than explained as a mishearing."""

import re

import pytest

from app.search.engines.engine import get_engine
from app.search.service import SearchService
from app.store import Store
from app.text.analysis import terms
from tests.conftest import SEED_SLUG, TWIN

MARKED = re.compile(r"<mark>(.*?)</mark>")


def marked(snippet: str) -> list[str]:
    return [t for m in MARKED.findall(snippet) for t in terms(m)]


def search(store: Store, q: str):  # noqa: ANN201 - the service's result
    return SearchService(get_engine(None, store.url)).search(store, q, limit=5, whole=True)


@pytest.mark.parametrize(
    ("quote", "second", "misheard"),
    [
        # "if you go to cattle they have tutorials there for free" (35:01), where a passage
        # starting at "a course in kaggle which is an ..." (34:57) holds kaggle literally
        ("if you go to Kaggle they have tutorials there for free", 2101, "kaggle"),
        # "go to cargo and there's gonna be a list of tutorials" (55:52), not "the kaggle
        # tutorial is the perfect place" (55:48)
        ("go to Kaggle, there's going to be a list of tutorials", 3352, "kaggle"),
        # two words captioned as one: "things like automl is doing"
        ("That's things like Auto ML is doing", 714, "auto ml"),
    ],
)
def test_a_quote_the_captions_misheard_outranks_partial_literal_readings(
    raw_captions_archive: Store, quote: str, second: float, misheard: str
) -> None:
    top = search(raw_captions_archive, quote).hits[0]
    assert top.talk.slug == SEED_SLUG and abs(top.start - second) <= 1.5, (top.start, top.text)
    assert top.match == "sound"
    assert misheard in {a.query.lower() for a in top.sounds_like}


@pytest.mark.parametrize(
    ("query", "stands_for"),
    [("team sword", "timsort"), ("psychic learn", "scikit"), ("cattle titanic", "kaggl")],
)
def test_a_misheard_term_marks_only_the_words_standing_for_it(
    merged_archive: Store, query: str, stands_for: str
) -> None:
    hits = search(merged_archive, query).hits
    assert hits[0].talk.slug == TWIN  # the captions' moment shown in the edited words
    assert stands_for in marked(hits[0].snippet)
    for hit in hits[:3]:
        assert 1 <= len(marked(hit.snippet)) <= 4, hit.snippet


def test_a_misheard_term_is_in_the_middle_of_its_snippet(merged_archive: Store) -> None:
    snippet = search(merged_archive, "psychic learn").hits[0].snippet
    before, _, after = snippet.partition("<mark>")
    assert "SciKit" in snippet and len(before.split()) >= 5 and len(after.split()) >= 5


@pytest.mark.parametrize("archive", ["raw_captions_archive", "merged_archive"])
def test_a_typo_gets_a_correction_not_a_sound_note(
    archive: str, request: pytest.FixtureRequest
) -> None:
    result = search(request.getfixturevalue(archive), "if you want to go fra, go togehter")
    assert result.corrected_query == "if you want to go far go together"
    assert not any("sound" in note for note in result.notes), result.notes
    assert not any(h.sounds_like for h in result.hits[:3])
    assert {"far", "togeth"} <= set(marked(result.hits[0].snippet))


def test_a_name_the_captions_misheard_is_not_corrected_to_another_word(
    raw_captions_archive: Store,
) -> None:
    """ "timsort" is two edits from "import" (its first letter changed): the captions' "team
    sword" is the likelier reading, not a typo."""
    result = search(raw_captions_archive, "timsort python")
    assert result.corrected_query is None
    top = result.hits[0]
    assert top.talk.slug == SEED_SLUG and abs(top.start - 686) <= 1.5, (top.start, top.text)
    assert top.match == "sound"
