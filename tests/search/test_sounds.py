"""Phonetic keys and sound-alike words, without an archive: single caption words, groups of
adjacent caption words across word boundaries, and the precision guards."""

from dataclasses import replace

import pytest

from app.search import tuning
from app.search.language.plan import AnyOf, MatchPlan, Phrase, Terms, flat_terms
from app.search.language.query import parse_query
from app.search.relax.relaxation import HeardPlan, lean_heard_plan, partial_plans, sound_plan
from app.search.relax.sounds import MAX_WORDS, SoundIndex
from app.text.phonetic import likeness, sound_keys, spoken_spelling, syllables


def index_of(counts: dict[str, int]) -> SoundIndex:
    return SoundIndex.build([(w, n, sound_keys(w)) for w, n in counts.items()])


def test_keys_meet_across_word_boundaries() -> None:
    # "timsort" is said as "team sword": the words' keys, joined, are the word's key
    assert sound_keys("timsort").split()[0] == "TMSRT"
    assert sound_keys("team").split()[0] + sound_keys("sword").split()[0] == "TMSRT"
    groups = index_of({"team": 20, "sword": 2, "sort": 9, "python": 30}).alike_groups("timsort")
    assert ("team", "sword") in groups and ("team", "sort") in groups
    assert all(len(g) in (2, 3) for g in groups)


def test_a_word_meets_the_single_words_it_is_misheard_as() -> None:
    index = index_of({"cattle": 1, "cargo": 2, "kettle": 1, "sword": 3, "table": 4})
    found = index.alike_words("kaggle")
    assert "cattle" in found and "cargo" in found  # "cargo": the R after a vowel not said
    assert "table" not in found  # the first sound differs
    psychic = index_of({"psychic": 2, "circuit": 1}).alike_words("scikit", min_likeness=0.45)
    assert set(psychic) == {"psychic", "circuit"}


def test_a_common_word_never_expands_and_never_stands_in() -> None:
    # 10,000 words in the archive: "python", said 500 times, is everyday speech here
    index = index_of({"python": 500, "button": 3, "filler": 9_497})
    assert index.is_common("python")
    assert index.alike_words("python") == [] and index.alike_groups("python") == []
    assert index.is_common("the") and index.alike_words("the") == []
    # a common caption word is no sound-alike of a rare one, unless other words confirm it
    common = index_of({"month": 500, "mouth": 1, "filler": 9_499})
    assert "month" not in common.alike_words("mouth")
    assert "month" in common.alike_words("mouth", common_too=True)


def test_stop_words_are_never_sound_alikes() -> None:
    # "should" has the key of "Chollet" (XLT) but is no mishearing of a name
    assert sound_keys("should").split()[0] == sound_keys("chollet").split()[0]
    assert index_of({"should": 5, "chalet": 1}).alike_words("chollet") == ["chalet"]


def test_sound_alikes_are_bounded() -> None:
    many = {w: 1 for w in ("cattle", "cargo", "kettle", "cuddle", "cuttle", "coddle", "goggle")}
    assert len(index_of(many).alike_words("kaggle", min_likeness=0.0)) <= MAX_WORDS


def test_short_and_numeric_words_have_no_sound_alikes() -> None:
    index = index_of({"ml": 1, "mel": 1, "m1": 1})
    assert index.alike_words("ml") == [] and sound_keys("2021") == ""


def test_spoken_spelling_and_syllables() -> None:
    assert spoken_spelling("kaggle") == "kagle" and spoken_spelling("cattle") == "katle"
    assert spoken_spelling("cargo") == "kago"
    assert likeness("kaggle", "cattle") > likeness("kaggle", "google")
    assert syllables("kaggle") == syllables("cargo") == 2 and syllables("call") == 1


def test_all_but_one_by_sound_keeps_the_rarest_words_likeliest_alikes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the plan for passages holding all but one of the words, some by sound: asked with every
    # word's sound-alikes it walked every reading of every word n times over (10,000 hours:
    # 140 ms of a subject search's 200)
    kaggle = AnyOf(
        (
            Terms(("kaggl", "cattl", "cargo", "kettl", "cuddl")),
            Phrase((Terms(("cat",)), Terms(("gill",)))),
            Phrase((Terms(("ca",)), Terms(("girl",)))),
            Phrase((Terms(("keg",)), Terms(("ill",)))),
        )
    )
    own = MatchPlan(must=(Terms(("kaggl",)), Terms(("python",)), Terms(("data",))))
    heard = HeardPlan(
        replace(own, must=(kaggle, Terms(("python", "button", "pithon")), Terms(("data",)))),
        {"cattl": "kaggle", "cargo": "kaggle", "button": "python"},
    )
    monkeypatch.setattr(tuning, "HEARD_PARTIAL_WORDS", 1)
    monkeypatch.setattr(tuning, "HEARD_PARTIAL_ALIKES", 2)
    frequency = {own.must[0]: 5, own.must[1]: 50, own.must[2]: 500}
    lean = lean_heard_plan(heard, own, frequency)
    # the rarest word: its own term and its two likeliest single words and groups
    assert lean.must[0] == AnyOf((Terms(("kaggl", "cattl", "cargo")), *kaggle.options[1:3]))
    assert lean.must[1:] == own.must[1:]  # commoner words: their own terms only


def test_a_sound_alike_whose_term_is_a_function_words_is_left_out() -> None:
    # "ors" sounds like "orgs", but its index term is "or": it would match every "or" said
    sounds = index_of({"ors": 2, "eggs": 3, "matrix": 5, "filler": 990})
    parsed = parse_query("matrix orgs")
    plan = MatchPlan(must=(Terms(("matrix",)), Terms(("org",))))
    heard = sound_plan(sounds, parsed, plan, is_rare=lambda word: True, in_quote=True)
    assert heard is not None
    terms = {a for m in heard.plan.must for t in flat_terms(m) for a in t.alternatives}
    assert "egg" in terms and "or" not in terms


def test_all_but_one_by_sound_never_drops_the_word_heard() -> None:
    # passages holding every other word without the one heard are those the words alone found
    words = (Terms(("kaggl", "cattl")), Terms(("python",)), Terms(("data",)), Terms(("team",)))
    plan = MatchPlan(must=words)
    frequency = dict.fromkeys(words, 10)
    (every,) = partial_plans(plan, frequency, 1000, rare_half=False)
    (held,) = partial_plans(plan, frequency, 1000, rare_half=False, kept=words[:1])
    assert isinstance(every.must[0], AnyOf) and isinstance(held.must[0], AnyOf)
    assert len(every.must[0].options) == 4
    assert len(held.must[0].options) == 3
    assert all(words[0] in option.items for option in held.must[0].options)
