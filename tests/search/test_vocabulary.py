"""Spelling suggestions from the vocabulary: which close words, in which order."""

from typing import Any, cast

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from app.search.relax.vocabulary import Speller, _keyboard_slip, letters_of, max_edits
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


def _every_close_word(counts: dict[str, int], typed: str) -> list[str]:
    """The suggestions by comparing the typed word with every word of the vocabulary."""
    edits = max_edits(typed)
    if edits == 0:
        return []
    words = list(counts)
    found = [(w, OSA.distance(typed, w), i) for i, w in enumerate(words)]
    close = [hit for hit in found if hit[1] <= edits]
    close.sort(key=lambda h: (h[1], not _keyboard_slip(typed, h[0]), -counts[h[0]], h[2]))
    return [w for w, _, _ in close[:3] if w != typed]


LETTERS = "abcdeéß日"


@st.composite
def _edited(draw: st.DrawFn, typed: str) -> str:
    """The typed word after one to three random edits (a word a speller may suggest)."""
    word = typed
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, max(len(word) - 1, 0)))
        edit = draw(st.sampled_from(["substitute", "insert", "delete", "swap"]))
        letter = draw(st.sampled_from(LETTERS))
        if edit == "substitute":
            word = word[:at] + letter + word[at + 1 :]
        elif edit == "insert":
            word = word[:at] + letter + word[at:]
        elif edit == "delete" and len(word) > 1:
            word = word[:at] + word[at + 1 :]
        elif edit == "swap" and at + 1 < len(word):
            word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return word


@st.composite
def _vocabulary_and_typed(draw: st.DrawFn) -> tuple[dict[str, int], str]:
    typed = draw(st.text(LETTERS, min_size=4, max_size=9))
    near = draw(st.lists(_edited(typed), max_size=12))
    other = draw(st.lists(st.text(LETTERS, min_size=1, max_size=9), max_size=12))
    words = list(dict.fromkeys(near + other)) or [typed]
    return {w: draw(st.integers(1, 5)) for w in words}, typed


@settings(max_examples=300, deadline=None)
@given(case=_vocabulary_and_typed())
def test_words_passed_over_by_their_letters_could_not_be_suggested(
    case: tuple[dict[str, int], str],
) -> None:
    """Words whose letters differ too much from the typed word's are never compared letter
    by letter (letters_of): the suggestions are those of comparing every word (a vocabulary
    of words a few edits from the typed one, and others)."""
    vocabulary, typed = case
    assert _suggest(vocabulary, typed) == _every_close_word(vocabulary, typed)


def test_the_letters_of_a_word_are_bits_shared_by_the_same_letters() -> None:
    a, b, ab, empty, again = letters_of(["a", "b", "ba", "", "aaa"])
    assert ab == a | b and a != b and empty == 0 and again == a


def test_a_three_letter_word_is_corrected_by_a_swap_of_two_letters_only() -> None:
    vocabulary = {"far": 30, "fry": 30, "fa": 30, "the": 90, "ten": 30}
    assert _suggest(vocabulary, "fra") == ["far"]  # not "fry" (r for a) nor "fa" (a dropped)
    assert _suggest(vocabulary, "teh") == ["the"]
    assert _suggest(vocabulary, "fay") == []  # "far" is a change away, not a swap
