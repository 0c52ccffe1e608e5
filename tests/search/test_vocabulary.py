"""Spelling suggestions from the vocabulary: which close words, in which order."""

from typing import Any, cast

from app.search.vocabulary import Speller
from app.store import Snapshot


class _Vocabulary:
    """What the speller reads of a snapshot: the words with their counts, and a version."""

    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts

    def vocabulary(self) -> list[tuple[str, int, str]]:
        return [(word, count, "") for word, count in self.counts.items()]

    def vocabulary_version(self) -> tuple[int, ...]:
        return (1, len(self.counts), sum(self.counts.values()))


def _suggest(counts: dict[str, int], typed: str) -> list[str]:
    snapshot = cast(Snapshot, cast(Any, _Vocabulary(counts)))
    return Speller().suggest(snapshot, typed)


def test_a_word_two_letters_shorter_or_longer_than_typed_is_suggested_three_is_not() -> None:
    vocabulary = {"collaboration": 5, "deployments": 5, "orchestration": 5, "data": 50}
    assert _suggest(vocabulary, "colaboraton") == ["collaboration"]  # two letters dropped
    assert _suggest(vocabulary, "deploymentsss") == ["deployments"]  # two letters added
    assert _suggest(vocabulary, "orhestrton") == []  # three letters dropped


def test_equally_close_words_come_the_most_said_first_then_in_the_vocabularys_order() -> None:
    # "tried", "striped" and "tripod" are each one edit from "triped"
    assert _suggest({"tripod": 3, "striped": 3, "tried": 9}, "triped") == [
        "tried",
        "tripod",
        "striped",
    ]
    assert _suggest({"striped": 3, "tripod": 3, "tried": 9}, "triped") == [
        "tried",
        "striped",
        "tripod",
    ]


def test_a_keyboard_slip_comes_before_an_equally_close_word_said_more() -> None:
    # "wrod" is one edit from "word" (two letters swapped) and from "wood" (r for o, keys
    # apart): "wood" is said more, but a swap is the likelier typo
    assert _suggest({"wood": 40, "word": 4}, "wrod") == ["word", "wood"]
