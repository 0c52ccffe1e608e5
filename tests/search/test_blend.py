"""Which queries are blended with meaning, and how two rankings become one."""

import pytest

from app.search.candidates.ranking import PassageScore, Span
from app.search.language.query import parse_query
from app.search.meaning.blend import Timed, fuse, meaning_text, spaced, subject_like


@pytest.mark.parametrize(
    ("text", "blended"),
    [
        ("where do they talk about burnout", True),
        ("customer-centric, data-driven decision making", True),  # hyphens are not quotes
        ("burnout", False),  # one word: a name or a term, found by its words
        ("how to do it", False),  # function words only
        ('"feature store" design', False),  # a phrase the user quoted
        ("kafka OR kinesis streaming", False),
        ("stream* processing", False),
        ("drift monitoring -kaggle", False),
    ],
)
def test_which_queries_may_name_a_subject(text: str, blended: bool) -> None:
    assert subject_like(parse_query(text)) is blended


def test_the_embedder_gets_the_words_without_operators() -> None:
    assert meaning_text('speaker:"Ada Lovelace" burnout -kaggle "deep work" OR rest') == (
        "burnout deep work rest"
    )


def moment(pid: int, talk: int, second: float) -> Timed:
    s = PassageScore(pid, 0.0, 1.0, Span(0, 1), [Span(0, 1)], talk_id=talk)
    return Timed(s, second)


def test_a_moment_found_both_ways_keeps_the_word_second_and_rises() -> None:
    words = [moment(1, 10, 100.0), moment(2, 20, 50.0)]
    meaning = [moment(7, 20, 80.0), moment(8, 30, 5.0)]  # 30 s after word moment 2: the same
    fused = fuse(words, meaning)
    assert [s.passage_id for s in fused] == [2, 1, 8]
    assert [s.matched_by for s in fused] == ["both", "words", "meaning"]


def test_meaning_moments_close_together_in_one_talk_are_one() -> None:
    found = spaced([moment(1, 10, 100.0), moment(2, 10, 120.0), moment(3, 11, 110.0)])
    assert [t.score.passage_id for t in found] == [1, 3]
