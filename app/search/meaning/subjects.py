"""Where a subject's words gather: moments whose stretch of talk holds the most of the query's
content words, each weighed by its rarity.

A subject ("clean code and coding proficiency for juniors") is rarely said in one 60-word
passage: its words are spread over a minute or two of talk, and a passage holding two of them
is weak evidence where a stretch holding all of them is strong. So a passage scores the
inverse document frequencies of the distinct content words in its stretch (it and STRETCH
passages on either side, about 1.5 minutes), plus CENTRE_WEIGHT times those in itself; its
moment is its rarest content word. On the dev topic queries this finds the chapter first for
0.495 of them, against 0.365 for the word ranking (README, "Meaning search").

Candidates are the passages holding the query's rarer content words (in at most CENTRE_SHARE of
all passages or CENTRE_MIN; at least the rarest), MAX_CENTRES at most: a common word ("data")
counts inside a stretch but does not make one.
"""

import math

from app.search.candidates.ranking import STOP_TERMS, PassageScore, Span
from app.search.engines.engine import SearchEngine
from app.search.language.plan import Filters, MatchPlan, Terms
from app.store import Snapshot
from app.text.analysis import terms as analyse
from app.text.passages import PASSAGE_STRIDE

STRETCH = 2  # passages on either side of a candidate that count for it
CENTRE_WEIGHT = 0.5
CENTRE_SHARE = 0.05
CENTRE_MIN = 50  # a word in this many passages or fewer makes candidates in any archive
MAX_CENTRES = 600
MARK_AFTER = 12  # words after the moment's word whose content words are marked in its snippet


def content_terms(text: str) -> list[str]:
    """The query's index terms that are not function words, each once."""
    return [t for t in dict.fromkeys(analyse(text)) if t not in STOP_TERMS]


def subject_moments(
    snapshot: Snapshot, engine: SearchEngine, text: str, filters: Filters, depth: int
) -> list[PassageScore]:
    """Up to `depth` moments where the query's content words gather, best first, one per
    stretch of a talk."""
    held = {t: engine.term_passages(snapshot, t) for t in content_terms(text)}
    held = {t: n for t, n in held.items() if n > 0}
    if not held:
        return []
    total = max(engine.count_passages(snapshot), 1)
    weight = {t: math.log(total / (n + 0.5)) for t, n in held.items()}
    centres: dict[int, None] = {}  # passage ids, in the order found
    for term in sorted(held, key=held.__getitem__):
        room = MAX_CENTRES - len(centres)
        common = held[term] > max(CENTRE_SHARE * total, CENTRE_MIN)
        if centres and (common or held[term] > room):
            break
        plan = MatchPlan(must=(Terms((term,)),), filters=filters)
        for pid, _ in engine.search(snapshot, plan, max(room, 1)):
            centres.setdefault(pid)
    stored = snapshot.stored_terms(
        [pid + k for pid in centres for k in range(-STRETCH, STRETCH + 1)]
    )
    present: dict[int, set[str]] = {}

    def holds(pid: int) -> set[str]:
        if pid not in present:
            said = f" {stored[pid][2]} "
            present[pid] = {t for t in weight if f" {t} " in said}
        return present[pid]

    reach = STRETCH * PASSAGE_STRIDE
    scored: list[tuple[float, int]] = []
    for pid in centres:
        if pid not in stored:
            continue
        talk_id, word_start, _ = stored[pid]
        stretch: set[str] = set()
        for other in range(pid - STRETCH, pid + STRETCH + 1):
            near = stored.get(other)
            if near and near[0] == talk_id and abs(near[1] - word_start) <= reach:
                stretch |= holds(other)
        score = sum(weight[t] for t in stretch) + CENTRE_WEIGHT * sum(weight[t] for t in holds(pid))
        scored.append((score, pid))
    scored.sort(key=lambda s: (-s[0], s[1]))
    moments: list[PassageScore] = []
    for score, pid in scored:
        talk_id, word_start, text = stored[pid]
        if any(m.talk_id == talk_id and abs(m.word_start - word_start) <= reach for m in moments):
            continue  # the same stretch, a weaker centre
        terms = text.split(" ")
        rarest = max((t for t in terms if t in weight), key=weight.__getitem__, default=None)
        if rarest is None:
            continue
        at = terms.index(rarest)
        # the moment is its rarest word; the content words said just after it are marked too
        marked = [Span(i, i + 1) for i in range(at, at + MARK_AFTER + 1)[: len(terms) - at]]
        marked = [m for m in marked if terms[m.start] in weight]
        coverage = len(holds(pid)) / len(weight)
        s = PassageScore(pid, round(score, 4), coverage, Span(at, marked[-1].end), marked)
        s.talk_id, s.word_start = talk_id, word_start
        moments.append(s)
        if len(moments) >= depth:
            break
    return moments
