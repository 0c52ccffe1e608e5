import pytest

from app.search.language.query import (
    MAX_QUERY_TERMS,
    MAX_QUERY_WORDS,
    AnyOf,
    Phrase,
    Word,
    parse_query,
)


@pytest.mark.parametrize(
    ("text", "must", "must_not"),
    [
        ("Hello World", [Word("hello"), Word("world")], []),
        ('"exact phrase" -bad', [Phrase(("exact", "phrase"))], [Word("bad")]),
        ("a OR b c", [AnyOf((Word("a"), Word("b"))), Word("c")], []),
        ("transit*", [Word("transit", prefix=True)], []),
        ("“curly quotes”", [Phrase(("curly", "quotes"))], []),
        ("don't", [Word("dont")], []),
        ("CMU-the", [Phrase(("cmu", "the"))], []),
        ("Café", [Word("cafe")], []),
        ("a AND NOT b", [Word("a")], [Word("b")]),
        ("OR x OR", [Word("x")], []),
        ("SELECT * FROM talks; --", [Word("select"), Word("from"), Word("talks")], []),
        ('NEAR(a b) "unbalanced', [Phrase(("near", "a")), Word("b"), Word("unbalanced")], []),
        ("🙂 🙂", [], []),
        ("-", [], []),
        ("\x00\x00", [], []),
    ],
)
def test_parse(text: str, must: list, must_not: list) -> None:
    query = parse_query(text)
    assert query.must == must
    assert query.must_not == must_not


def test_speaker_filter_is_taken_out_of_the_words() -> None:
    query = parse_query('machine speaker:"Santiago Valdarrama" speaker:alexey')
    assert query.must == [Word("machine")]
    assert query.speakers == ["Santiago Valdarrama", "alexey"]


def test_unbalanced_quote_is_noted() -> None:
    assert parse_query('say "hello').notes == ["An unmatched quote was ignored."]


def test_very_long_text_is_cut_with_a_note() -> None:
    query = parse_query("word " * 5000)
    assert query.word_count() == MAX_QUERY_WORDS
    assert "first" in query.notes[-1]


def test_only_exclusions_asks_for_a_word() -> None:
    query = parse_query("-this -that")
    assert query.is_empty and "Add at least one word" in query.notes[-1]


def test_long_phrase_is_split_into_passage_sized_pieces() -> None:
    words = " ".join(f"w{i}" for i in range(30))
    query = parse_query(f'"{words}"')
    assert [len(c.words) for c in query.must] == [20, 10]


def test_repeated_alternatives_are_asked_once() -> None:
    query = parse_query(" OR ".join(["br*"] * 333))
    assert query.must == [Word("br", prefix=True)]


def test_alternatives_are_bounded_across_the_query() -> None:
    many = " OR ".join(f"w{i:03d}*" for i in range(300))
    query = parse_query(f"{many} data -{' -'.join(f'x{i}' for i in range(100))}")
    options = sum(len(c.options) if isinstance(c, AnyOf) else 1 for c in query.must)
    assert options + len(query.must_not) <= MAX_QUERY_TERMS
    assert any("alternatives were searched" in note for note in query.notes)
