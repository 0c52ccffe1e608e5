"""Hits of overlapping passages that point at the same moment become one; a talk's weaker
extra moments make way for other talks' best."""

from app.search.candidates.ranking import PassageScore

SAME_MOMENT_WORDS = 20  # hits of one transcript closer than this are one moment
SAME_MOMENT_SECONDS = 5.0  # hits of two transcripts of a talk closer than this are one moment
STRONG_SHARE = 0.95  # a talk's second moment keeps its rank only if it scores this close


def merge_moments(
    scored: list[PassageScore],
    seen: dict[int, list[tuple[int, float, int | None, int, bool]]] | None = None,
    times: dict[int, tuple[float, int | None]] | None = None,
    merged_into: dict[int, list[PassageScore]] | None = None,
) -> list[PassageScore]:
    """Overlapping passages find the same words: keep the best hit per moment. With `times`
    (passage id -> its match's second and transcript), passages of a talk whose matches start
    at the same second are one moment too (they would be two hits with one link), and so are
    passages of two transcripts of the talk a few seconds apart (the same words, in the edited
    text and in the captions). In one transcript, a passage matched by sound is no moment of one
    matched by the words themselves. `seen` holds the moments already listed (talk id -> word
    position, second, transcript, passage id, and whether matched by sound), and gains the new
    ones;
    `merged_into` gains, for each moment kept, the passages merged into it (another
    transcript's words at that moment)."""
    moments: list[tuple[int, PassageScore]] = []
    seen = {} if seen is None else seen
    times = times or {}
    for s in scored:
        at = s.spot
        second, transcript = times.get(s.passage_id, (-1.0, None))
        talk_moments = seen.setdefault(s.talk_id, [])
        heard = s.by_sound
        same = next(
            (
                kept
                for word, other, other_transcript, kept, kept_heard in talk_moments
                if (heard == kept_heard or transcript != other_transcript)
                and _same_moment(at - word, second, other, transcript != other_transcript)
            ),
            None,
        )
        if same is not None:
            if merged_into is not None:
                merged_into.setdefault(same, []).append(s)
            continue
        talk_moments.append((at, second, transcript, s.passage_id, heard))
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


def _same_moment(words_apart: int, second: float, other: float, two_texts: bool) -> bool:
    if abs(words_apart) < SAME_MOMENT_WORDS and not two_texts:
        return True
    if second < 0 or other < 0:
        return False
    if two_texts:
        return abs(second - other) < SAME_MOMENT_SECONDS
    return int(second) == int(other)


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
