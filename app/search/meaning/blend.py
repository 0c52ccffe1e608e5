"""Word moments and meaning moments in one ranking, by moment.

Reciprocal rank fusion: a moment scores tuning.WORDS_WEIGHT / (tuning.RRF_K + its rank among
the word moments) + 1 / (tuning.RRF_K + its rank among the meaning moments). A meaning moment in
the same talk as a word moment and within SAME_MOMENT_SECONDS of it is that moment (it keeps
the word moment's second, which is exact, and matched "both"); a word moment in a stretch that
several meaning moments find gains from each. The fusion's constants are chosen by
cross-validation over the dev topic queries (`tests/bench/cross_validate.py`,
docs/meaning-search.md)."""

import re
from dataclasses import dataclass

from app.search import tuning
from app.search.candidates.ranking import PassageScore
from app.search.language import query
from app.search.language.query import ParsedQuery
from app.text.analysis import STOP_WORDS, normalize

SAME_MOMENT_SECONDS = 60.0
WORD_DEPTH = 50  # word moments taken into the fusion
MEANING_DEPTH = 60  # meaning moments taken into the fusion
MEANING_SPACING = 30.0  # meaning moments of one talk closer than this are one moment
MIN_CONTENT_WORDS = 2
_NOT_MEANT = re.compile(r'speaker:(?:"[^"]*"|\S*)|(?:^|\s)-\S+|["*]|\bOR\b')


@dataclass(frozen=True, slots=True)
class Timed:
    """A moment and when it is said."""

    score: PassageScore
    second: float


def subject_like(parsed: ParsedQuery) -> bool:
    """Plain words, at least two of them more than function words: a subject may be meant.
    Phrases in quotes, OR, prefixes and exclusions ask for words, and get words (a phrase
    the user did not quote, "customer-centric", is plain words)."""
    if parsed.must_not or not parsed.must or '"' in parsed.text.translate(query.QUOTES):
        return False
    words: list[str] = []
    for clause in parsed.must:
        if isinstance(clause, query.Word) and not clause.prefix:
            words.append(clause.text)
        elif isinstance(clause, query.Phrase):
            words.extend(clause.words)
        else:
            return False
    content = [w for w in words if normalize(w) not in STOP_WORDS]
    return len(content) >= MIN_CONTENT_WORDS


def meaning_text(text: str) -> str:
    """What the query means, for the embedder: without speaker filters, exclusions and
    operators."""
    return " ".join(_NOT_MEANT.sub(" ", text).split())


def spaced(moments: list[Timed], seconds: float = MEANING_SPACING) -> list[Timed]:
    """The moments in order, without those within `seconds` of a better one of the same talk."""
    kept: list[Timed] = []
    for m in moments:
        if not any(
            k.score.talk_id == m.score.talk_id and abs(k.second - m.second) < seconds for k in kept
        ):
            kept.append(m)
    return kept


def fuse(words: list[Timed], meaning: list[Timed]) -> list[PassageScore]:
    """One ranking of both lists (each best first); each moment's `score` becomes its fused
    score and `matched_by` says which lists found it."""
    fused: list[tuple[float, int, PassageScore]] = []
    by_word: list[tuple[Timed, int]] = []
    for rank, w in enumerate(words[:WORD_DEPTH]):
        w.score.matched_by = "words"
        by_word.append((w, len(fused)))
        fused.append((tuning.WORDS_WEIGHT / (tuning.RRF_K + rank), len(fused), w.score))
    for rank, m in enumerate(meaning[:MEANING_DEPTH]):
        gain = 1.0 / (tuning.RRF_K + rank)
        same = next(
            (
                slot
                for w, slot in by_word
                if w.score.talk_id == m.score.talk_id
                and abs(w.second - m.second) <= SAME_MOMENT_SECONDS
            ),
            None,
        )
        if same is not None:
            score, order, s = fused[same]
            s.matched_by = "both"
            fused[same] = (score + gain, order, s)
        else:
            m.score.matched_by = "meaning"
            fused.append((gain, len(fused), m.score))
    fused.sort(key=lambda f: (-f[0], f[1]))
    out = []
    for score, _, s in fused:
        s.score = round(score, 4)
        out.append(s)
    return out


def reads_as_quote(best: PassageScore) -> bool:
    """The best word match holds every word close together (the words as said, or with a
    word in another order, form or spelling: a quote remembered with a slip), or all but a
    word or two close together (a word remembered wrong, or misheard by the captions), or it
    was found by sound: words answer it, not meaning. A subject's words are spread out
    (compact 0.2-0.4 on the topic queries, 1.0 on the quotes with typos). Blended, misheard
    quotes lost most of their first hits (tests/bench/sound_eval.py --meaning; the figures in
    docs/meaning-search.md, "A quote with a word wrong is not blended")."""
    if best.is_quote or (best.coverage == 1.0 and best.compact >= tuning.QUOTE_COMPACT):
        return True
    if best.coverage >= tuning.QUOTE_PART_COVERAGE and best.compact >= tuning.QUOTE_PART_COMPACT:
        return True
    return best.by_sound and best.compact >= tuning.HEARD_QUOTE_COMPACT
