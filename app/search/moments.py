"""Hits of overlapping passages that point at the same moment become one; a talk's weaker
extra moments make way for other talks' best."""

from app.search.ranking import PassageScore

SAME_MOMENT_WORDS = 20  # hits of one talk closer than this are one moment
STRONG_SHARE = 0.95  # a talk's second moment keeps its rank only if it scores this close


def merge_moments(scored: list[PassageScore]) -> list[PassageScore]:
    """Overlapping passages find the same words: keep the best hit per moment."""
    moments: list[tuple[int, PassageScore]] = []
    seen: dict[int, list[int]] = {}
    for s in scored:
        at = s.word_start + s.window.start
        talk_moments = seen.setdefault(s.talk_id, [])
        if any(abs(at - other) < SAME_MOMENT_WORDS for other in talk_moments):
            continue
        talk_moments.append(at)
        moments.append((s.talk_id, s))
    return best_moment_per_talk_first(moments)


def best_moment_per_talk_first(moments: list[tuple[int, PassageScore]]) -> list[PassageScore]:
    """Ranked (talk, hit) pairs -> hits where a talk's extra moments keep their rank only when
    nearly as strong as its best; weaker ones follow every talk's best."""
    kept: list[PassageScore] = []
    later: list[PassageScore] = []
    best: dict[int, float] = {}
    for talk_id, s in moments:
        if talk_id in best and s.score < STRONG_SHARE * best[talk_id]:
            later.append(s)
        else:
            best.setdefault(talk_id, s.score)
            kept.append(s)
    return kept + later


def exact_moments(scored: list[PassageScore]) -> int:
    """How many distinct moments read as the query word for word."""
    return len(merge_moments([s for s in scored if s.is_exact]))
