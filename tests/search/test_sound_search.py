"""Sound-alike matching on every backend and engine, in the seed's automatic captions (the
bundled sample): names and terms the captions misheard are found below the words themselves."""

from pathlib import Path

from app.search.present.results import Hit
from app.store import Store
from tests.conftest import ingest
from tests.search.test_service import search


def heard(hits: list[Hit]) -> list[str]:
    return [a.heard for h in hits for a in h.sounds_like]


def test_a_name_the_captions_never_spell_is_found_by_sound(sample_db: Store) -> None:
    result = search(sample_db, "timsort")
    assert result.hits and all(h.match == "sound" for h in result.hits)
    said = heard(result.hits)
    assert said.count("team sword") == 2 and said.count("team sort") == 2
    assert {a.query for h in result.hits for a in h.sounds_like} == {"timsort"}
    assert set(result.heard_as[:2]) == {"team sword", "team sort"}  # to search as captioned
    assert any("sound like" in n for n in result.notes)
    assert any("called <mark>team</mark> <mark>sword</mark> they" in h.snippet for h in result.hits)


def test_the_spelled_moments_come_first_then_the_misheard_ones(sample_db: Store) -> None:
    result = search(sample_db, "kaggle", limit=20)
    matches = [h.match for h in result.hits]
    assert matches[:6] == ["words"] * 6 and "sound" in matches[6:]
    assert matches == sorted(matches, key=lambda m: m == "sound")  # never a sound one above
    assert heard(result.hits).count("cargo") == 2  # "you mentioned cargo", "go to cargo"
    # "… a course in kaggle … if you go to cattle they have tutorials": one moment, both marked
    (both,) = [h for h in result.hits if "cattle" in heard([h])]
    assert both.match == "words" and "<mark>kaggle</mark>" in both.snippet
    assert "<mark>cattle</mark>" in both.snippet


def test_a_hyphenated_term_meets_its_misheard_first_word(sample_db: Store) -> None:
    result = search(sample_db, "scikit-learn")
    assert result.hits[0].match == "words" and "scikit-learn" in result.hits[0].text
    said = heard(result.hits[1:])
    assert "circuit" in said and said.count("psychic") == 2


def test_an_exact_reading_outranks_a_sound_alike_one(db: Store, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(
        "0:01 welcome to the show\n0:05 the sorting behind python is called timsort\n"
    )
    (tmp_path / "b.txt").write_text(
        "0:01 hello again\n0:05 the sorting behind python is called team sword\n"
    )
    ingest(db, tmp_path)
    hits = search(db, "timsort").hits
    assert [(h.talk.slug, h.match) for h in hits] == [("a", "words"), ("b", "sound")]
    assert hits[1].sounds_like[0].heard == "team sword" and hits[1].score < hits[0].score
    # a quote found word for word is not relaxed: nothing matched by sound comes above it
    quote = search(db, "the sorting behind python is called timsort").hits
    assert (quote[0].talk.slug, quote[0].match) == ("a", "words")
    assert all(h.match == "sound" for h in quote[1:])
    # misremembered the other way round: the exact reading of talk b first, then a by sound
    other = search(db, "the sorting behind python is called team sword").hits
    assert (other[0].talk.slug, other[0].match) == ("b", "words")


def test_a_common_word_gets_no_sound_alikes(sample_db: Store) -> None:
    result = search(sample_db, "learning", limit=50)
    assert result.hits and all(h.match == "words" for h in result.hits)
