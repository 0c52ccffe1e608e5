"""Word alignment on synthetic pairs with known answers, and times that never go backwards."""

from hypothesis import given, settings
from hypothesis import strategies as st

from app.ingest.talk_build import line_times
from app.ingest.transcript import Segment
from app.text.alignment import align, counterparts

WORDS = [f"w{i}" for i in range(400)]  # distinct words: every position has one right answer


def timed(words: list[str]) -> tuple[list[str], list[float]]:
    """Caption words said one every half second."""
    return words, [i * 0.5 for i in range(len(words))]


def test_identical_texts_take_the_caption_times() -> None:
    words, times = timed(WORDS[:50])
    assert align(words, words, times).times == times


def test_misheard_words_are_anchored_one_for_one() -> None:
    captions = WORDS[:40]
    edited = list(captions)
    edited[10], edited[25] = "timsort", "kaggle"  # the captions misheard these two
    words, times = timed(captions)
    result = align(edited, words, times)
    assert result.times[10] == times[10] and result.times[25] == times[25]
    assert result.timed_of[10] == 10


def test_extra_and_missing_words_shift_nothing_else() -> None:
    captions = WORDS[:60]
    edited = captions[:20] + ["um", "so", "yeah"] + captions[20:45] + captions[50:]  # 5 dropped
    words, times = timed(captions)
    result = align(edited, words, times)
    for i, word in enumerate(edited):
        if word in captions:
            assert result.times[i] == times[captions.index(word)], word
    inserted = result.times[20:23]
    assert times[19] <= min(inserted) and max(inserted) <= times[20]


def test_a_missing_two_minutes_of_captions_is_bridged() -> None:
    edited = WORDS[:300]
    # the captions lost words 100-339 (two minutes at two words a second)
    captions = edited[:100] + edited[340:] if len(edited) > 340 else edited[:100]
    times = [i * 0.5 for i in range(100)] + [170.0 + i * 0.5 for i in range(len(captions) - 100)]
    result = align(edited, captions, times)
    assert result.times[:100] == times[:100]
    gap = result.times[100:]
    assert all(times[99] <= t <= 170.0 + 0.5 * len(edited) for t in gap)
    assert gap == sorted(gap)


def test_two_speakers_in_long_turns_get_their_lines_times() -> None:
    lines = [Segment(start=2.0 * i, text=" ".join(WORDS[5 * i : 5 * i + 5])) for i in range(40)]
    caption_words, caption_times = line_times(lines)
    turns = [" ".join(WORDS[0:100]), " ".join(WORDS[100:200])]  # Ada, then Grace
    edited = [w for turn in turns for w in turn.split()]
    result = align(edited, caption_words, caption_times)
    assert result.times[0] == 0.0 and result.times[100] == 40.0  # Grace's turn starts at 0:40
    assert result.times[57] == 2.0 * (57 // 5)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 30), min_size=1, max_size=80),
    st.lists(st.integers(0, 30), min_size=1, max_size=80),
    st.lists(st.floats(0, 5), min_size=80, max_size=80),
)
def test_aligned_times_never_go_backwards(
    edited: list[int], captions: list[int], gaps: list[float]
) -> None:
    times, now = [], 0.0
    for gap in gaps[: len(captions)]:
        now += gap
        times.append(now)
    result = align([f"w{i}" for i in edited], [f"w{i}" for i in captions], times)
    assert len(result.times) == len(edited)
    assert all(a <= b for a, b in zip(result.times, result.times[1:], strict=False))
    assert all(t >= 0 for t in result.times)


def test_a_shuffled_word_far_away_is_not_trusted() -> None:
    captions = WORDS[:200]
    edited = list(captions)
    edited[50] = captions[190]  # the same word said much later: a chance match
    words, times = timed(captions)
    result = align(edited, words, times)
    assert abs(result.times[50] - times[50]) <= 1.0


def test_counterparts_of_texts_overlapping_in_part_pair_only_the_overlap() -> None:
    """Two passages of one talk (an edited one starting earlier, captions running on): the
    edited words before the overlap and the caption words after it stand for nothing, and a
    misheard stretch inside the overlap stands for the word it misheard."""
    edited = "in order to solve it we know that sorting in python is called timsort they".split()
    captions = "that sorting in python is called team sword they have no idea at all".split()
    parts = counterparts(edited, captions)
    timsort = edited.index("timsort")
    assert parts[captions.index("team")] == parts[captions.index("sword")] == (timsort, timsort + 1)
    assert parts[captions.index("python")] == (
        edited.index("python"),
        edited.index("python") + 1,
    )
    for word in ("have", "no", "idea", "at", "all"):
        assert parts[captions.index(word)][0] == parts[captions.index(word)][1]  # nothing
