"""Passage scoring: the fast paths for one word and for plain words agree with the general
scoring, and the window, order and compactness mean what the ranking relies on."""

from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.search.candidates.ranking import Span, plan_terms, score_passage
from app.search.language.plan import AnyOf, Terms

VOCAB = ["a", "b", "c", "d", "e"]


def _general(must: tuple[Terms, ...]) -> tuple[AnyOf, ...]:
    """The same clauses, wrapped so that scoring takes the general path."""
    return tuple(AnyOf((t,)) for t in must)


def _key(s):  # type: ignore[no-untyped-def]
    if s is None:
        return None
    return (s.score, s.coverage, s.window, s.matched, s.order, s.compact)


@settings(max_examples=400, deadline=None)
@given(
    terms=st.lists(st.sampled_from(VOCAB), min_size=1, max_size=60),
    must=st.lists(
        st.lists(st.sampled_from(VOCAB + ["zz"]), min_size=1, max_size=2).map(
            lambda alts: Terms(tuple(alts))
        ),
        min_size=1,
        max_size=5,
    ),
    norm=st.floats(0, 1),
)
# the words as a phrase after a window of them out of order, and twice
@example(terms=list("cabdabcab"), must=[Terms(("a",)), Terms(("b",)), Terms(("c",))], norm=0.5)
@example(terms=list("abcab"), must=[Terms(("b",)), Terms(("c", "a"))], norm=0.0)
def test_fast_paths_score_as_the_general_path(
    terms: list[str], must: list[Terms], norm: float
) -> None:
    clauses = tuple(dict.fromkeys(must))
    fast = score_passage(7, terms, clauses, norm)
    general = score_passage(7, terms, _general(clauses), norm)
    assert _key(fast) == _key(general)


def test_the_quote_word_for_word_is_exact_and_outranks_the_same_words_apart() -> None:
    must = (Terms(("go",)), Terms(("far",)), Terms(("togeth",)))
    exact = score_passage(1, "if you want to go far togeth".split(), must, 0.0)
    apart = score_passage(2, "go with others far away and togeth".split(), must, 1.0)
    assert exact is not None and apart is not None
    assert exact.is_exact and exact.window == Span(4, 7)
    assert not apart.is_exact and apart.score < exact.score


def test_window_is_the_narrowest_in_order_then_the_earliest() -> None:
    must = (Terms(("a",)), Terms(("b",)))
    s = score_passage(1, "a x x b a x b x b a".split(), must, 0.0)
    assert s is not None and s.window == Span(3, 5)  # "b a": narrower than "a x x b"
    assert s.order == 0.0  # inside that window b comes before a
    # "b a" and "a b" are equally narrow: the one in order ("network and what kind of
    # network" holds the quote at its second "network")
    s = score_passage(1, "a x x b a b x a b".split(), must, 0.0)
    assert s is not None and s.window == Span(4, 6) and s.order == 1.0
    s = score_passage(1, "a x b x b a x b a".split(), must, 0.0)
    assert s is not None and s.window == Span(4, 6) and s.order == 0.0  # none in order: earliest


def test_a_quote_after_its_last_word_said_before_is_read_in_order() -> None:
    must = tuple(Terms((w,)) for w in "and what kind of network".split())
    terms = "you put a network and what kind of network would you put".split()
    for clauses in (must, _general(must)):
        s = score_passage(1, terms, clauses, 0.0)  # type: ignore[arg-type]
        assert s is not None and s.window == Span(4, 9) and s.order == 1.0 and s.is_exact


def test_a_quote_saying_a_word_twice_reads_as_said() -> None:
    # planned with each word once; said with "this" twice: narrower than the quote is
    # "button you deploy this chang", out of order, so only the words as said make it exact
    must = tuple(Terms((w,)) for w in "this button you deploy chang".split())
    said = (0, 1, 2, 3, 0, 4)
    terms = "so you press this button you deploy this chang and it is live".split()
    planned = score_passage(1, terms, must, 0.0)
    assert planned is not None and planned.window == Span(4, 9) and not planned.is_quote
    as_said = score_passage(1, terms, must, 0.0, said=said)
    assert as_said is not None and as_said.window == Span(3, 9) and as_said.is_exact
    elsewhere = "this button you deploy chang and this".split()  # not as said: the sweep's
    assert _key(score_passage(1, elsewhere, must, 0.0, said=said)) == _key(
        score_passage(1, elsewhere, must, 0.0)
    )


def test_order_allows_a_short_gap_and_missing_words_lower_coverage() -> None:
    must = (Terms(("a",)), Terms(("b",)), Terms(("c",)))
    s = score_passage(1, "a x b y y y y c".split(), must, 0.0)
    assert s is not None and s.order == 0.5 and s.coverage == 1.0  # a→b close, b→c too far
    missing = score_passage(2, "a b".split(), must, 0.0)
    assert missing is not None and missing.coverage == 2 / 3


def test_one_word_points_at_its_first_occurrence_of_any_alternative() -> None:
    s = score_passage(1, "x y run x ran".split(), (Terms(("ran", "run")),), 0.5)
    assert s is not None and s.window == Span(2, 3) and s.matched == [Span(2, 3)]
    assert score_passage(1, "x y".split(), (Terms(("run",)),), 0.5) is None


def test_stop_words_alone_are_not_marked_but_inside_a_phrase_they_are() -> None:
    from app.search.candidates.ranking import Span, marked_spans

    terms = ["how", "to", "x", "y", "the", "kaggl", "competit", "z", "in"]
    spans = [Span(0, 1), Span(1, 2), Span(4, 5), Span(5, 6), Span(6, 7), Span(8, 9)]
    assert marked_spans(terms, spans) == [Span(4, 5), Span(5, 6), Span(6, 7)]
    only_stop = [Span(0, 1), Span(1, 2)]
    assert marked_spans(terms, only_stop) == only_stop  # "to be or not to be"


def test_plans_placed_in_turn_each_find_their_own_words() -> None:
    """What each term stands for is worked out once per plan (the service places one plan in
    many passages, prepared with plan_terms): a prepared plan places its words as the plan
    placed afresh does, and plans placed in turn each find their own."""
    terms = "x a b y b a z".split()
    ab = (Terms(("a",)), Terms(("b",)))
    ba = (Terms(("b",)), Terms(("a",)))
    for _ in range(3):
        first, second = score_passage(1, terms, ab, 1.0), score_passage(1, terms, ba, 1.0)
        assert first is not None and first.window == Span(1, 3) and first.order == 1.0
        assert second is not None and second.window == Span(4, 6) and second.order == 1.0
        prepared = score_passage(1, terms, ba, 1.0, plan_terms(ba))
        assert prepared is not None and prepared.window == Span(4, 6)
    said = ["kaggl", "python", "spark", "docker", "panda"]
    for n in range(200):
        plan = (Terms((said[n % 5],)), Terms(("zz",)), Terms((said[(n + 1) % 5],)))
        for found in (
            score_passage(1, said, plan, 1.0),
            score_passage(1, said, plan, 1.0, plan_terms(plan)),
        ):
            assert found is not None and found.coverage == 2 / 3
            assert [m.start for m in found.matched] == sorted({n % 5, (n + 1) % 5})
