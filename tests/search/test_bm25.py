"""The Python BM25 the FTS5 engine uses for queries with few matches gives FTS5's own scores,
for words, phrases and choices of them."""

import sqlite3

import pytest

from app.search.engines import bm25

DOCS = [
    "the model drifts and the team retrains the model",
    "drift detection for the model",
    "the team talks about hiring",
    "model model model drift",
    "nothing to see here at all really nothing the model",
]


@pytest.mark.parametrize(
    ("query", "phrases"),
    [
        ('"model"', [("model",)]),
        ('"model" AND "drift"', [("model",), ("drift",)]),
        ('"the" AND "team"', [("the",), ("team",)]),
        ('"the" OR "nothing"', [("the",), ("nothing",)]),
        ('"the model"', [("the", "model")]),
        ('"the model" OR "model drift"', [("the", "model"), ("model", "drift")]),
        ('"the model" AND "team"', [("the", "model"), ("team",)]),
    ],
)
def test_scores_equal_fts5_bm25(query: str, phrases: list[bm25.Phrase]) -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(body)")
    db.executemany("INSERT INTO t(rowid, body) VALUES (?, ?)", list(enumerate(DOCS, 1)))
    theirs = dict(db.execute("SELECT rowid, -bm25(t) FROM t WHERE t MATCH ?", (query,)))
    docs = [d.split() for d in DOCS]
    average = sum(map(len, docs)) / len(docs)
    held = [bm25.occurrences(doc, phrases) for doc in DOCS]
    weights = {p: bm25.idf(sum(p in h for h in held), len(docs)) for p in phrases}
    assert theirs, "the query matches something"
    for rowid, score in theirs.items():
        ours = bm25.bm25(held[rowid - 1], weights, len(docs[rowid - 1]), average)
        assert ours == pytest.approx(score, rel=1e-9)


def test_occurrences_count_words_and_phrases() -> None:
    found = bm25.occurrences(
        "a b a b c a", [("a",), ("a", "b"), ("b", "c", "a"), ("c", "b"), ("z",), ("b", "a")]
    )
    assert found == {("a",): 3, ("a", "b"): 2, ("b", "c", "a"): 1, ("b", "a"): 1}


@pytest.mark.parametrize(
    ("stored", "phrase", "count"),
    [
        ("a a a", ("a",), 3),  # side by side: no space shared between two instances
        ("a a a", ("a", "a"), 2),  # overlapping instances of a phrase, as FTS5 counts them
        ("a b a b a", ("a", "b", "a"), 2),
        ("ab a b", ("b",), 1),  # a word inside another term is not the word
        ("ab b", ("a", "b"), 0),
        ("a", ("a",), 1),
    ],
)
def test_occurrences_count_every_instance_of_whole_terms(
    stored: str, phrase: bm25.Phrase, count: int
) -> None:
    assert bm25.occurrences(stored, [phrase]).get(phrase, 0) == count
    assert bm25.length(stored) == len(stored.split(" "))


def test_overlapping_phrase_counts_as_fts5_counts_it() -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(body)")
    db.execute("INSERT INTO t(rowid, body) VALUES (1, 'x a a a y a a')")
    db.execute("INSERT INTO t(rowid, body) VALUES (2, 'a y')")
    theirs = db.execute("SELECT -bm25(t) FROM t WHERE t MATCH '\"a a\"'").fetchone()[0]
    held = bm25.occurrences("x a a a y a a", [("a", "a")])
    weights = {("a", "a"): bm25.idf(1, 2)}
    assert bm25.bm25(held, weights, 7, 4.5) == pytest.approx(theirs, rel=1e-9)


def test_rarer_phrase_weighs_more_and_absent_phrases_score_nothing() -> None:
    assert bm25.idf(3, 1000) > bm25.idf(900, 1000) > 0
    assert bm25.idf(999, 1000) == bm25.MIN_IDF
    weights = {("rare",): bm25.idf(3, 1000), ("common",): bm25.idf(900, 1000)}
    assert bm25.bm25({("rare",): 1}, weights, 60, 60) > bm25.bm25({("common",): 1}, weights, 60, 60)
    assert bm25.bm25({}, weights, 60, 60) == 0.0
