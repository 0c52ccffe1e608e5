"""The Python BM25 the FTS5 engine uses for queries with few matches gives FTS5's own scores."""

import sqlite3

import pytest

from app.search import bm25

DOCS = [
    "the model drifts and the team retrains the model",
    "drift detection for the model",
    "the team talks about hiring",
    "model model model drift",
    "nothing to see here at all really nothing",
]


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ('"model"', ["model"]),
        ('"model" AND "drift"', ["model", "drift"]),
        ('"the" AND "team"', ["the", "team"]),
        ('"the" OR "nothing"', ["the", "nothing"]),
    ],
)
def test_scores_equal_fts5_bm25(query: str, terms: list[str]) -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(body)")
    db.executemany("INSERT INTO t(rowid, body) VALUES (?, ?)", list(enumerate(DOCS, 1)))
    theirs = dict(db.execute("SELECT rowid, -bm25(t) FROM t WHERE t MATCH ?", (query,)))
    tokens = [d.split() for d in DOCS]
    average = sum(map(len, tokens)) / len(tokens)
    df = {term: sum(term in doc for doc in tokens) for term in terms}
    weights = bm25.weights(terms, df, len(DOCS))
    ours = {rowid: bm25.bm25(tokens[rowid - 1], weights, average) for rowid in theirs}
    assert theirs, "the query matches something"
    for rowid, score in theirs.items():
        assert ours[rowid] == pytest.approx(score, rel=1e-9)


def test_rarer_word_weighs_more_and_absent_words_score_nothing() -> None:
    weights = bm25.weights(["common", "rare"], {"common": 900, "rare": 3}, 1000)
    assert weights["rare"] > weights["common"] > 0
    assert bm25.bm25(["rare", "x"], weights, 60) > bm25.bm25(["common", "x"], weights, 60)
    assert bm25.bm25(["x", "y"], weights, 60) == 0.0
