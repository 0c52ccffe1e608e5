"""Moments found by meaning: the passages nearest a query's meaning as moments, where a
subject's words gather, both blended with the word moments, and the moments of other talks
nearest a moment (related)."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from app.search import tuning
from app.search.candidates.moments import SAME_MOMENT_SECONDS, cap_per_talk
from app.search.candidates.ranking import PassageScore, Span
from app.search.engines.engine import SearchEngine
from app.search.language.plan import Filters
from app.search.meaning import subjects
from app.search.meaning.blend import MEANING_DEPTH, WORD_DEPTH, Timed, fuse, meaning_text, spaced
from app.search.meaning.nearest import MeaningHit, MeaningSearch
from app.search.present.results import Hit, MomentFacts, build_hits, moment_facts, spoken_by
from app.store import Snapshot, Store

Nearest = Callable[[], list[MeaningHit]]  # the nearest passages, once they are found


class MeaningLookup:
    def __init__(self, meaning: MeaningSearch, engine: SearchEngine) -> None:
        self.meaning = meaning
        self.engine = engine
        # the query embedded and its nearest passages found while the words are searched:
        # the model and the index free the interpreter lock, and neither reads the archive
        self._beside = ThreadPoolExecutor(max_workers=2, thread_name_prefix="meaning")

    def related(
        self, store: Store, slug: str, second: float, limit: int, time_limit_ms: int
    ) -> list[Hit]:
        """Moments of other talks nearest in meaning to what the talk says at `second`: the
        best moment of each talk, nearest first."""
        with store.snapshot(time_limit_ms) as snapshot:
            index = self.meaning.index(snapshot)
            pid = snapshot.passage_said_at(slug, second)
            held = index.passage(pid) if pid is not None else None
            if held is None:
                return []
            vector, talk_id = held
            near = index.nearest(vector, tuning.MEANING_CANDIDATES, other_than=talk_id)
            best: dict[int, PassageScore] = {}
            for s in meaning_scores(snapshot, near):
                if s.talk_id not in best:
                    best[s.talk_id] = s
                    if len(best) >= limit:
                        break
            return build_hits(snapshot, list(best.values()))

    def blend(
        self,
        snapshot: Snapshot,
        text: str,
        filters: Filters,
        merged: list[PassageScore],
        facts: dict[int, MomentFacts],
        near: Nearest | None = None,
    ) -> tuple[list[PassageScore], int] | None:
        """The word moments blended with the meaning moments: up to WORD_DEPTH moments where
        the subject's words gather (else the first word moments) and MEANING_DEPTH moments by
        meaning fused into one ranking, the other word moments after it; and how many moments
        that adds. None when nothing is near the meaning. `facts` gains the new moments'.
        `near`: the nearest passages, looked for beforehand (`nearest_beside`)."""
        meaning = self.moments(snapshot, meaning_text(text), filters, near)
        if not meaning:
            return None
        facts.update({m.score.passage_id: f for m, f in meaning.values()})
        # the word side: where the subject's words gather (else the word moments)
        subject = self.subject_moments(snapshot, meaning_text(text), filters)
        facts.update({t.score.passage_id: f for t, f in subject})
        timed = [t for t, _ in subject] or [
            Timed(s, facts[s.passage_id].start)
            for s in merged[:WORD_DEPTH]
            if s.passage_id in facts
        ]
        fused = fuse(timed, [m for m, _ in meaning.values()])
        listed = {s.passage_id for s in merged}
        extra = sum(1 for s in fused if s.passage_id not in listed)
        if not filters.talk:
            fused = cap_per_talk(fused, tuning.TALK_CAP)
        # the other word moments follow, in the order every page sees them
        return fused + _not_listed(merged, fused, facts), extra

    def nearest_beside(self, snapshot: Snapshot, text: str, filters: Filters) -> Nearest:
        """The passages nearest the text's meaning, looked for in another thread from now (what
        they need of the archive is read here, first); the waiter returns them."""
        find = self._nearest_finder(snapshot, filters)
        found = self._beside.submit(find, meaning_text(text))
        return found.result

    def moments(
        self, snapshot: Snapshot, text: str, filters: Filters, near: Nearest | None = None
    ) -> dict[int, tuple[Timed, MomentFacts]]:
        """Up to MEANING_DEPTH moments near the text's meaning, best first, by passage id."""
        if not text:
            return {}
        hits = near() if near is not None else self._nearest_finder(snapshot, filters)(text)
        scores = meaning_scores(snapshot, hits)
        facts = moment_facts(snapshot, scores)
        timed = [Timed(s, facts[s.passage_id].start) for s in scores if s.passage_id in facts]
        if filters.speakers:
            timed = [
                t for t in timed if spoken_by(facts[t.score.passage_id].speaker, filters.speakers)
            ]
        kept = spaced(timed)[:MEANING_DEPTH]
        return {t.score.passage_id: (t, facts[t.score.passage_id]) for t in kept}

    def _nearest_finder(
        self, snapshot: Snapshot, filters: Filters
    ) -> Callable[[str], list[MeaningHit]]:
        """What finds a text's nearest passages without the archive: the index as of this
        snapshot, and the talks a filter allows."""
        index = self.meaning.index(snapshot)
        allowed = None
        if filters.talk or filters.talks is not None or filters.date_from or filters.date_to:
            allowed = snapshot.talks_matching(
                filters.talk, filters.talks, filters.date_from, filters.date_to
            )

        def find(text: str) -> list[MeaningHit]:
            if not text:
                return []
            vector = self.meaning.embed_query(text)
            return index.nearest(vector, tuning.MEANING_CANDIDATES, allowed)

        return find

    def subject_moments(
        self, snapshot: Snapshot, text: str, filters: Filters
    ) -> list[tuple[Timed, MomentFacts]]:
        """Up to WORD_DEPTH moments where the query's content words gather, best first, with
        their facts (said by the people asked for, with a speaker filter)."""
        found = subjects.subject_moments(snapshot, self.engine, text, filters, WORD_DEPTH)
        facts = moment_facts(snapshot, found)
        return [
            (Timed(s, facts[s.passage_id].start), facts[s.passage_id])
            for s in found
            if s.passage_id in facts
            and (not filters.speakers or spoken_by(facts[s.passage_id].speaker, filters.speakers))
        ]


def meaning_scores(snapshot: Snapshot, near: list[MeaningHit]) -> list[PassageScore]:
    """Nearest passages as moments found by meaning: scored by their similarity, their moment
    at the word the index chose (nothing in them is a matched word to mark)."""
    found = snapshot.passage_terms([h.passage_id for h in near])
    scores = []
    for h in near:
        if h.passage_id not in found:
            continue  # its talk changed since the vectors were loaded
        talk_id, word_start, terms = found[h.passage_id]
        word = min(h.word, max(len(terms) - 1, 0))
        s = PassageScore(
            h.passage_id, round(h.similarity, 4), 0.0, Span(word, word + 1), [Span(word, word + 1)]
        )
        s.talk_id, s.word_start, s.matched_by = talk_id, word_start, "meaning"
        scores.append(s)
    return scores


def _not_listed(
    moments: list[PassageScore], listed: list[PassageScore], facts: dict[int, MomentFacts]
) -> list[PassageScore]:
    """The moments that are none of the listed ones: not the same passage, nor within
    SAME_MOMENT_SECONDS of one in the same talk (one moment is listed once on every page)."""
    seconds: dict[int, list[float]] = {}
    for s in listed:
        if s.passage_id in facts:
            seconds.setdefault(s.talk_id, []).append(facts[s.passage_id].start)
    ids = {s.passage_id for s in listed}
    return [
        s
        for s in moments
        if s.passage_id not in ids
        and not (
            s.passage_id in facts
            and any(
                abs(facts[s.passage_id].start - second) < SAME_MOMENT_SECONDS
                for second in seconds.get(s.talk_id, ())
            )
        )
    ]
