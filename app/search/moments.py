"""Hits of overlapping passages that point at the same moment become one; a talk's weaker
extra moments make way for other talks' best."""

from app.search.ranking import PassageScore

SAME_MOMENT_WORDS = 20  # hits of one talk closer than this are one moment
STRONG_SHARE = 0.95  # a talk's second moment keeps its rank only if it scores this close


def merge_moments(
    scored: list[PassageScore],
    seen: dict[int, list[tuple[int, int]]] | None = None,
    seconds: dict[int, float] | None = None,
) -> list[PassageScore]:
    """Overlapping passages find the same words: keep the best hit per moment. Passages of a
    talk whose matches start at the same second (`seconds`, by passage id) are one moment too:
    they would be two hits with one link. `seen` holds the moments already listed (talk id ->
    word positions and seconds), and gains the new ones."""
    moments: list[tuple[int, PassageScore]] = []
    seen = {} if seen is None else seen
    seconds = seconds or {}
    for s in scored:
        at = s.word_start + s.window.start
        second = int(seconds.get(s.passage_id, -1))
        talk_moments = seen.setdefault(s.talk_id, [])
        if any(
            abs(at - word) < SAME_MOMENT_WORDS or (second >= 0 and second == other)
            for word, other in talk_moments
        ):
            continue
        talk_moments.append((at, second))
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


def cap_per_talk(moments: list[PassageScore], cap: int) -> list[PassageScore]:
    """A talk's moments past its first `cap` follow every other talk's: one talk does not fill
    the first page. Order is kept otherwise."""
    counts: dict[int, int] = {}
    kept: list[PassageScore] = []
    later: list[PassageScore] = []
    for s in moments:
        counts[s.talk_id] = counts.get(s.talk_id, 0) + 1
        (kept if counts[s.talk_id] <= cap else later).append(s)
    return kept + later


def exact_moments(scored: list[PassageScore]) -> int:
    """How many distinct moments read as the query word for word."""
    return len(merge_moments([s for s in scored if s.is_exact]))
