"""The Python BM25 the FTS5 engine uses for queries with few matches gives FTS5's own scores,
for words, phrases and choices of them."""

import sqlite3

import pytest

from app.search import bm25

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
    held = [bm25.occurrences(doc, phrases) for doc in docs]
    weights = {p: bm25.idf(sum(p in h for h in held), len(docs)) for p in phrases}
    assert theirs, "the query matches something"
    for rowid, score in theirs.items():
        ours = bm25.bm25(held[rowid - 1], weights, len(docs[rowid - 1]), average)
        assert ours == pytest.approx(score, rel=1e-9)


def test_occurrences_count_words_and_phrases() -> None:
    terms = "a b a b c a".split()
    found = bm25.occurrences(terms, [("a",), ("a", "b"), ("b", "c", "a"), ("c", "b"), ("z",)])
    assert found == {("a",): 3, ("a", "b"): 2, ("b", "c", "a"): 1}


def test_rarer_phrase_weighs_more_and_absent_phrases_score_nothing() -> None:
    assert bm25.idf(3, 1000) > bm25.idf(900, 1000) > 0
    assert bm25.idf(999, 1000) == bm25.MIN_IDF
    weights = {("rare",): bm25.idf(3, 1000), ("common",): bm25.idf(900, 1000)}
    assert bm25.bm25({("rare",): 1}, weights, 60, 60) > bm25.bm25({("common",): 1}, weights, 60, 60)
    assert bm25.bm25({}, weights, 60, 60) == 0.0
