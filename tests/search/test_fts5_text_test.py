"""Candidates listed through the pair index or the rarest words are confirmed on their stored terms
in Python (app/search/engines/fts5.py, _text_test): that test must say what FTS5's MATCH of the
same clause says, for every shape of clause the planner makes. Compared here with FTS5 itself
over random passages of a few words (so that words and phrases often match)."""

import sqlite3

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.search.engines.fts5_pairs import _text_test
from app.search.engines.fts5_syntax import render_match
from app.search.language.plan import AllOf, AnyOf, Match, Phrase, Terms

WORDS = ("a", "b", "c", "d", "e")

one_word = st.sampled_from(WORDS).map(lambda word: Terms((word,)))
choice = st.lists(st.sampled_from(WORDS), min_size=2, max_size=3, unique=True).map(
    lambda alts: Terms(tuple(alts))
)
terms = st.one_of(one_word, one_word, choice)  # a word has one form most often
phrases = st.lists(terms, min_size=2, max_size=4).map(lambda parts: Phrase(tuple(parts)))
simple = st.one_of(terms, phrases)
every = st.lists(simple, min_size=2, max_size=4).map(lambda items: AllOf(tuple(items)))
clauses = st.one_of(
    simple,
    every,  # the rarest-first AND: a quote's words
    st.recursive(
        simple,
        lambda inner: st.one_of(
            st.lists(inner, min_size=1, max_size=3).map(lambda items: AllOf(tuple(items))),
            st.lists(inner, min_size=1, max_size=3).map(lambda options: AnyOf(tuple(options))),
        ),
        max_leaves=6,
    ),
)
passages = st.lists(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join),
    min_size=1,
    max_size=8,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clause=clauses, texts=passages)
@example(clause=AllOf((Terms(("a",)), Terms(("b",)))), texts=["a c", "b a"])
def test_the_text_test_matches_what_fts5_matches(clause: Match, texts: list[str]) -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(terms, tokenize = 'unicode61')")
    db.executemany("INSERT INTO t(rowid, terms) VALUES (?, ?)", enumerate(texts))
    found = db.execute("SELECT rowid FROM t WHERE t MATCH ?", (render_match(clause),))
    by_fts5 = {row for (row,) in found}
    holds = _text_test(clause)
    by_text = {k for k, text in enumerate(texts) if holds(f" {text} ")}
    assert by_text == by_fts5, render_match(clause)
