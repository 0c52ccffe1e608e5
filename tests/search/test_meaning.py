"""Meaning search and its blend with the word search, on every backend and engine, with a
tiny embedder whose vectors are known: three talks about three subjects, one of which never
says the word a person searches for."""

from pathlib import Path

import numpy as np
import pytest

from app.search.candidates.ranking import PassageScore, Span
from app.search.language.plan import Filters
from app.search.meaning.lookup import MeaningLookup, _not_listed
from app.search.meaning.nearest import MeaningSearch, VectorIndex, scoring_matrix
from app.search.meaning.vectors import stale_talks, sync_vectors
from app.search.present.results import MomentFacts
from app.search.service import SearchService
from app.store import Store
from app.text.analysis import words
from tests.conftest import ingest, search_engine_of

SUBJECTS = {
    "fatigue": {"burnout", "exhausted", "tired", "stress", "overwork", "rest", "sleep"},
    "hiring": {"hiring", "interview", "candidate", "recruiter", "resume", "offer"},
    "baking": {"recipe", "oven", "flour", "bake", "eggs", "sugar", "bread"},
}
LINES = {
    "tired-team": [
        "after months of overwork the whole team was exhausted and tired",
        "the stress never stopped and nobody could sleep at night anymore",
        "we learned that rest is part of the work and not a reward for it",
        "so now every sprint ends with two quiet days of rest for everyone",
        "people come back less tired and the stress of releases is lower",
        "we also stopped sending messages at night so that people can sleep",
        "overwork looks productive for a week and then everything slows down",
        "that is the main lesson we took from that exhausted year of ours",
    ],
    "hiring-loop": [
        "we asked every candidate the same interview questions in the same order",
        "the recruiter read each resume before the first call with the candidate",
        "an offer went out within a week of the final interview at most",
        "hiring managers wrote their notes before they saw the other notes",
        "a candidate who waited longer than a week often took another offer",
        "so the recruiter tracked every step of the hiring loop in one sheet",
        "the interview panel changed every quarter to spread the load around",
        "and every resume was read by two people to catch what one missed",
    ],
    "sunday-bread": [
        "the recipe starts with flour water salt and a little sugar for colour",
        "you bake the bread in a very hot oven for the first twenty minutes",
        "some people add eggs to the dough but this recipe does not need them",
        "let the dough rise overnight and bake it first thing in the morning",
        "the oven should have a tray of water in it to make a crisp crust",
        "if the bread is pale add a spoon of sugar to the next batch of flour",
        "a cold oven at the start gives a denser crumb and a thicker crust",
        "that is all there is to it and the bread keeps for three days",
    ],
}


class TopicEmbedder:
    """A vector per subject: how many of the text's words belong to each (and a constant)."""

    model_id = "test-subjects"
    dimensions = len(SUBJECTS) + 1

    def __init__(self) -> None:
        self.texts = 0

    def embed(self, texts: list[str]) -> np.ndarray:
        self.texts += len(texts)
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in words(text):
                for k, members in enumerate(SUBJECTS.values()):
                    out[i, k] += word in members
            out[i, -1] = 0.2
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def srt(lines: list[str]) -> str:
    blocks = []
    for k, line in enumerate(lines):
        start, end = 5 + k * 20, 5 + k * 20 + 19
        blocks.append(
            f"{k + 1}\n00:{start // 60:02d}:{start % 60:02d},000 --> "
            f"00:{end // 60:02d}:{end % 60:02d},000\n{line}\n"
        )
    return "\n".join(blocks)


def write_talks(folder: Path, talks: dict[str, list[str]]) -> Path:
    folder.mkdir(exist_ok=True)
    for slug, lines in talks.items():
        (folder / f"{slug}.srt").write_text(srt(lines))
    return folder


@pytest.fixture
def embedder() -> TopicEmbedder:
    return TopicEmbedder()


@pytest.fixture
def talks_db(db: Store, tmp_path: Path, embedder: TopicEmbedder) -> Store:
    report = ingest(db, write_talks(tmp_path / "talks", LINES))
    assert report.failed == 0, report.errors
    assert sync_vectors(db, embedder) == 3
    return db


def service(store: Store, embedder: TopicEmbedder) -> SearchService:
    return SearchService(search_engine_of(store), meaning=MeaningSearch(embedder))


def test_a_subject_never_said_is_found_by_meaning(talks_db: Store, embedder: TopicEmbedder) -> None:
    result = service(talks_db, embedder).search(talks_db, "where do they discuss burnout")
    assert result.blended
    assert result.hits and result.hits[0].talk.slug == "tired-team"
    assert result.hits[0].match == "meaning"
    assert "<mark>" not in result.hits[0].snippet  # nothing to mark: no word of it is said


def test_words_and_meaning_together_say_both(talks_db: Store, embedder: TopicEmbedder) -> None:
    result = service(talks_db, embedder).search(talks_db, "stress overwork sleep")
    assert result.blended
    top = result.hits[0]
    assert top.talk.slug == "tired-team" and top.match == "both"
    assert "<mark>" in top.snippet


def test_a_subject_is_found_where_its_words_gather(
    talks_db: Store, embedder: TopicEmbedder
) -> None:
    """The word side of the blend is the stretch of talk holding most of the subject's words
    (each weighed by its rarity), at its rarest word: "lesson" is said once, near "overwork"
    and "exhausted", and that moment leads."""
    result = service(talks_db, embedder).search(talks_db, "overwork exhausted lessons")
    top = result.hits[0]
    assert result.blended and top.talk.slug == "tired-team" and top.match in ("words", "both")
    assert top.start == pytest.approx(145, abs=6)  # "that is the main lesson we took…"
    assert "<mark>lesson</mark>" in top.snippet


def test_a_quote_keeps_the_word_search(talks_db: Store, embedder: TopicEmbedder) -> None:
    quote = "we asked every candidate the same interview questions"
    found = service(talks_db, embedder).search(talks_db, quote)
    words_only = SearchService(search_engine_of(talks_db)).search(talks_db, quote)
    assert not found.blended
    assert [(h.talk.slug, h.start, h.match) for h in found.hits] == [
        (h.talk.slug, h.start, h.match) for h in words_only.hits
    ]
    assert found.hits[0].start == 5.0 and found.hits[0].match == "words"


def test_a_quoted_phrase_is_never_blended(talks_db: Store, embedder: TopicEmbedder) -> None:
    result = service(talks_db, embedder).search(talks_db, '"hot oven" bread recipe')
    assert not result.blended
    assert all(h.match == "words" for h in result.hits)


def test_words_mode_finds_only_words(talks_db: Store, embedder: TopicEmbedder) -> None:
    result = service(talks_db, embedder).search(
        talks_db, "where do they discuss burnout", mode="words"
    )
    assert not result.hits and not result.blended


def test_meaning_mode_lands_inside_the_talk_about_it(
    talks_db: Store, embedder: TopicEmbedder
) -> None:
    result = service(talks_db, embedder).search(talks_db, "resume screening", mode="meaning")
    assert result.hits[0].talk.slug == "hiring-loop"
    assert {h.match for h in result.hits} == {"meaning"}
    assert all(0 <= h.start <= 170 for h in result.hits)


def test_meaning_respects_the_talk_filter(talks_db: Store, embedder: TopicEmbedder) -> None:
    result = service(talks_db, embedder).search(
        talks_db, "resume screening", mode="meaning", filters=Filters(talk="sunday-bread")
    )
    assert result.hits and {h.talk.slug for h in result.hits} == {"sunday-bread"}


def test_nearest_looked_for_beside_the_words_are_those_looked_for_in_turn(
    talks_db: Store, embedder: TopicEmbedder
) -> None:
    # a subject's nearest passages are found in another thread while its words are searched
    lookup = MeaningLookup(MeaningSearch(embedder), search_engine_of(talks_db))
    text, only = "where do they discuss burnout", Filters(talk="tired-team")
    with talks_db.snapshot() as snapshot:
        for filters in (Filters(), only):
            beside = lookup.nearest_beside(snapshot, text, filters)
            in_turn = lookup.moments(snapshot, text, filters)
            found = lookup.moments(snapshot, text, filters, beside)
            assert in_turn and {p: t.second for p, (t, _) in found.items()} == {
                p: t.second for p, (t, _) in in_turn.items()
            }
            if filters == only:  # the talks a filter allows are read before, with the snapshot
                assert len({t.score.talk_id for t, _ in found.values()}) == 1


def test_a_blended_subject_stays_in_the_talk_asked_for(
    talks_db: Store, embedder: TopicEmbedder
) -> None:
    result = service(talks_db, embedder).search(
        talks_db, "stress overwork sleep", filters=Filters(talk="sunday-bread")
    )
    assert result.hits and {h.talk.slug for h in result.hits} == {"sunday-bread"}


def test_paging_a_blend_neither_repeats_nor_skips(talks_db: Store, embedder: TopicEmbedder) -> None:
    search = service(talks_db, embedder)
    whole = search.search(talks_db, "bread oven tired", limit=20)
    pages = [search.search(talks_db, "bread oven tired", limit=2, offset=k) for k in (0, 2, 4)]
    assert [(h.talk.slug, h.start) for p in pages for h in p.hits] == [
        (h.talk.slug, h.start) for h in whole.hits[:6]
    ]


def test_related_moments_are_in_other_talks(talks_db: Store, embedder: TopicEmbedder) -> None:
    hits = service(talks_db, embedder).related(talks_db, "hiring-loop", 30.0)
    slugs = [h.talk.slug for h in hits]
    assert slugs and "hiring-loop" not in slugs and len(slugs) == len(set(slugs))
    assert all(h.match == "meaning" for h in hits)


def test_vectors_follow_changes_and_skip_unchanged_talks(
    talks_db: Store, embedder: TopicEmbedder, tmp_path: Path
) -> None:
    assert stale_talks(talks_db, embedder.model_id) == {}
    before = embedder.texts
    assert sync_vectors(talks_db, embedder) == 0 and embedder.texts == before
    changed = {"sunday-bread": LINES["sunday-bread"][:4] + ["rest the dough and sleep well"]}
    ingest(talks_db, write_talks(tmp_path / "talks", changed))
    assert sync_vectors(talks_db, embedder) == 1
    result = service(talks_db, embedder).search(talks_db, "kneading bread", mode="meaning")
    assert result.hits[0].talk.slug == "sunday-bread"


def test_meaning_mode_without_the_model_says_so(talks_db: Store) -> None:
    off = SearchService(search_engine_of(talks_db), meaning_off="semantic search is off: no model")
    result = off.search(talks_db, "resume recruiter", mode="meaning")
    assert result.semantic == "Semantic search is off: no model."
    assert any(n.startswith("Semantic search is off: no model.") for n in result.notes)
    assert result.hits and {h.match for h in result.hits} == {"words"}


def test_a_blended_subject_lists_each_moment_once(talks_db: Store, embedder: TopicEmbedder) -> None:
    """The word search's moments follow the blended ones without repeating a moment of them."""
    result = service(talks_db, embedder).search(talks_db, "overwork exhausted lessons", limit=50)
    assert result.blended and len(result.hits) > 3
    spots = [(h.talk.slug, h.start) for h in result.hits]
    for k, (slug, start) in enumerate(spots):
        assert not any(s == slug and abs(t - start) < 5 for s, t in spots[:k]), spots


def test_a_word_moment_at_a_listed_moment_is_not_listed_again() -> None:
    """Overlapping passages (or a talk's two transcripts) give one moment under two passage ids:
    after the blended moments, the word moments leave out those at a listed second."""

    def moment(pid: int, talk: int) -> PassageScore:
        s = PassageScore(pid, 1.0, 1.0, Span(0, 1), [Span(0, 1)])
        s.talk_id = talk
        return s

    facts = {
        1: MomentFacts(None, 100.0),
        2: MomentFacts(None, 102.0),  # the same moment as 1, another passage
        3: MomentFacts(None, 130.0),  # the same talk, another moment
        4: MomentFacts(None, 100.0),  # the same second, another talk
    }
    listed = [moment(1, 7)]
    rest = [moment(1, 7), moment(2, 7), moment(3, 7), moment(4, 8)]
    assert [s.passage_id for s in _not_listed(rest, listed, facts)] == [3, 4]


def _whole_matrix_scoring(vectors: np.ndarray, talks: np.ndarray) -> np.ndarray:
    """The scoring matrix built in whole-matrix steps, as it was before it was built by blocks."""
    own = vectors.astype(np.float32)
    same_prev = np.zeros(len(own), dtype=bool)
    same_prev[1:] = talks[1:] == talks[:-1]
    stretch = own.copy()
    stretch[1:] += own[:-1] * same_prev[1:, None]
    stretch[:-1] += own[1:] * same_prev[1:, None]
    stretch /= np.maximum(np.linalg.norm(stretch, axis=1, keepdims=True), 1e-12)
    return own + stretch


@pytest.mark.parametrize("block", [1, 2, 3, 7, 64])
def test_the_scoring_matrix_built_by_blocks_is_the_whole_matrix_one(block: int) -> None:
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(23, 8)).astype(np.float16)
    talks = np.array([1] * 5 + [2] + [3] * 9 + [4] * 8, dtype=np.int64)  # talks of 1 to 9 rows
    built = scoring_matrix(vectors, talks, block)
    assert built.dtype == np.float32
    np.testing.assert_allclose(built, _whole_matrix_scoring(vectors, talks), rtol=1e-6, atol=1e-6)


def test_a_passage_is_found_by_its_id_in_any_order() -> None:
    vectors = np.eye(4, dtype=np.float16)
    rows = [
        (7, np.array([40, 12], dtype=np.int64).tobytes(), vectors[:2].tobytes()),
        (3, np.array([5, 30], dtype=np.int64).tobytes(), vectors[2:].tobytes()),
    ]
    index = VectorIndex(rows, 4, block=3)
    for pid, (row, talk) in {40: (0, 7), 12: (1, 7), 5: (2, 3), 30: (3, 3)}.items():
        found = index.passage(pid)
        assert found is not None and found[1] == talk
        np.testing.assert_array_equal(found[0], vectors[row].astype(np.float32))
    assert index.passage(13) is None and index.passage(99) is None and index.passage(0) is None


def test_a_quote_with_a_word_wrong_keeps_the_word_search(
    talks_db: Store, embedder: TopicEmbedder
) -> None:
    """All but one of its words close together: a quote remembered (or captioned) with a
    word wrong, answered by words at its second, not blended with what it is about."""
    quote = "some people add eggs to the pastry but this recipe does not need them"
    found = service(talks_db, embedder).search(talks_db, quote)
    assert not found.blended
    assert found.hits[0].talk.slug == "sunday-bread" and found.hits[0].start == 45.0
    assert found.hits[0].match == "words"
