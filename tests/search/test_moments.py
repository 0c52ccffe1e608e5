"""Merging hits into moments: a talk's weaker extra moments make way for other talks' best."""

from app.search.candidates.moments import best_moment_per_talk_first
from app.search.candidates.ranking import PassageScore, Span


def test_one_moment_per_talk_first_unless_another_is_as_strong() -> None:
    def hit(pid: int, score: float) -> PassageScore:
        return PassageScore(pid, score, 1.0, Span(0, 1), [Span(0, 1)])

    ranked = [(1, hit(10, 150)), (1, hit(11, 149)), (1, hit(12, 120)), (2, hit(20, 110))]
    order = [s.passage_id for s in best_moment_per_talk_first(ranked)]
    assert order == [10, 11, 20, 12]
