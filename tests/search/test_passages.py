import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.search.present.snippets import SegmentRow
from app.text.analysis import terms, words
from app.text.passages import MAX_PHRASE_WORDS, passage_spans, word_time


@given(st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=60))
def test_every_short_phrase_lies_inside_one_passage(counts: list[int]) -> None:
    total = sum(counts)
    spans = passage_spans(counts)
    for start in range(total):
        end = min(start + MAX_PHRASE_WORDS, total)
        assert any(s.word_start <= start and end <= s.word_end for s in spans)


def test_passages_point_at_their_segments() -> None:
    spans = passage_spans([5] * 30)  # 150 words
    assert [(s.word_start, s.word_end) for s in spans] == [
        (0, 60),
        (40, 100),
        (80, 140),
        (120, 150),
    ]
    assert (spans[1].first_segment, spans[1].last_segment) == (8, 19)


def seg(start: float, end: float | None, words: int) -> SegmentRow:
    return SegmentRow(0, start, end, None, "w " * words, 0, words)


def test_caption_line_words_share_the_line_start() -> None:
    assert word_time(seg(61.0, None, 6), 63.0, 4) == 61.0


def test_long_turn_is_interpolated_by_word_position() -> None:
    assert word_time(seg(100.0, None, 100), 200.0, 50) == pytest.approx(150.0)


def test_turn_followed_by_one_at_the_same_second_keeps_its_start() -> None:
    assert word_time(seg(100.0, None, 100), 100.0, 50) == 100.0


def test_last_long_turn_uses_a_speaking_rate() -> None:
    assert word_time(seg(0.0, None, 100), None, 50) == pytest.approx(20.0)


def test_analysis_folds_and_stems_consistently() -> None:
    assert terms("Running RUNS run’s") == ["run", "run", "run"]
    assert words("Don’t stop—naïve") == ["dont", "stop", "naive"]
    assert len(terms("snake_case x")) == 3


@pytest.mark.parametrize(
    ("form", "base"),
    [
        ("taught", "teaching"),
        ("colour", "colors"),
        ("modelling", "modeled"),
        ("went", "going"),
        ("children", "child"),
        ("optimise", "optimization"),
    ],
)
def test_irregular_and_british_forms_share_a_term(form: str, base: str) -> None:
    assert terms(form) == terms(base)
