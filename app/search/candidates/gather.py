"""Candidates for a plan: passages listed by the engine (by BM25, as a phrase, close together, by
sound) and scored in Python, so that every engine ranks alike. The service decides which stages
a query needs; this class knows how each one asks the engine and scores what comes back."""

import itertools
import math
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace

from app.search import tuning
from app.search.candidates.heard import heard_reading
from app.search.candidates.moments import SAME_MOMENT_WORDS, exact_moments
from app.search.candidates.ranking import (
    PassageScore,
    Span,
    plan_terms,
    score_passage,
    wanted_terms,
)
from app.search.engines.engine import SearchEngine
from app.search.language.plan import (
    AllOf,
    AnyOf,
    Match,
    MatchPlan,
    Phrase,
    Terms,
    flat_terms,
    match_bound,
)
from app.search.present.results import spoken_by
from app.search.relax.relaxation import HeardPlan, lean_heard_plan, partial_plans
from app.store import Snapshot


class Candidates:
    """The engine's listings for one search, scored."""

    def __init__(self, engine: SearchEngine) -> None:
        self.engine = engine

    def gather(
        self, snapshot: Snapshot, plan: MatchPlan, want: int, said: tuple[int, ...] = ()
    ) -> tuple[list[PassageScore], bool]:
        """Candidates for the plan (by BM25, and for several plain words also by nearness and
        as a phrase: its clauses in the order `said`, a word said twice twice), ranked in
        Python. Also says whether every match was fetched."""
        self.engine.read_terms(snapshot, sorted(wanted_terms(plan.must)))
        plain = bool(plan.must) and all(isinstance(m, Terms) for m in plan.must)
        bound = self.bound(snapshot, plan) if plain else 0
        if plain and bound == 0:
            return [], True  # a word the archive never says (a typo): no passage holds them all
        words_only = plain and len(plan.must) > 1
        all_matches = words_only and bound <= want * tuning.ALL_MATCHES_FACTOR
        if all_matches:
            # several plain words, one of them rare: every passage holding them all is ranked
            # here (the quote among them), and no phrase pass is needed
            want *= tuning.ALL_MATCHES_FACTOR
        full = want // 3  # exact moments that fill a block: no other candidates are needed
        as_phrase = None
        phrased: list[tuple[int, float]] | None = None  # not asked yet
        as_said: list[PassageScore] = []  # phrased, scored
        exact_said = 0  # distinct moments among them that read as the query word for word
        if words_only and not all_matches:
            words = tuple(plan.must[k] for k in said) if said else plan.must
            as_phrase = replace(plan, must=(_as_phrases(words),))  # type: ignore[arg-type]
            if self.engine.cheap_phrases and (
                len(plan.must) <= tuning.PHRASE_FIRST_WORDS or bound >= tuning.PHRASE_FIRST_BOUND
            ):
                # many passages hold every word: where they stand as said is asked first, and
                # a block of exact readings needs no AND of the words (their long posting lists).
                # Readings word for word differ only in BM25 (a passage's length, a word said
                # again): the block is chosen from the newest, not of 500 listed, read and
                # weighed (2-3 common words at 10,000 hours, p50 in-process: 10.6 -> 6.7 ms)
                phrased = self.engine.search(snapshot, as_phrase, want, best_of=want)
                # each a reading word for word: BM25 alone orders them (the engine lists them
                # best first), so the best are ranked first, and the others only when those do
                # not hold a block's moments
                first = phrased[: tuning.READINGS_RANKED] if _word_for_word(words) else phrased
                as_said = self.score(
                    snapshot, dict(first), plan.must, speakers=plan.filters.speakers, said=said
                )
                exact_said = exact_moments(as_said)
                if exact_said < full and len(first) < len(phrased):
                    speakers = plan.filters.speakers
                    as_said = self.score(
                        snapshot, dict(phrased), plan.must, as_said, speakers, said=said
                    )
                    exact_said = exact_moments(as_said)
                if exact_said >= full:
                    return as_said, False
        # words already found as said: their AND only fills the block below those readings,
        # and BM25 over words found together this often tells little about which of their
        # many passages is best: a block of the newest is enough to choose from (the AND of a
        # quote's common words, 2,900 candidates read at 1,000 hours to rank 500; of three
        # words whose rarest is in 2,000 passages, 12.7 ms of a 20.9 ms search)
        filler = exact_said > 0
        # a phrase in quotes: every match is a reading word for word, chosen as above
        one_phrase = len(plan.must) == 1 and isinstance(plan.must[0], Phrase)
        found = self.engine.search(
            snapshot, plan, want, best_of=want if filler or one_phrase else None
        )
        complete = len(found) < want
        if not complete and _one_word(plan):
            # one word (or a choice of words): BM25 alone orders its passages (the engine lists
            # them best first), so only the best of them are ranked and timed; `want` were
            # fetched to know whether they are every match (a word in fewer passages is looked
            # for by sound too)
            found = found[: tuning.ONE_WORD_RANKED]
        pool = dict(found)
        # the readings as said among them are scored already: where the words stand does not
        # change, only the BM25 they are weighed with
        known = [replace(s, bm25=pool[s.passage_id]) for s in as_said if s.passage_id in pool]
        scored = self.score(
            snapshot, pool, plan.must, known, speakers=plan.filters.speakers, said=said
        )
        if as_phrase is not None and not complete and exact_moments(scored) < full:
            # BM25 kept only the top `want` of many matches, and too few of them read as the
            # query word for word: also fetch the passages where the words stand as a phrase,
            # or failing that close together. (Skipped when the page is already full of exact
            # readings: without a pair index, a phrase of common words is an engine's slowest
            # query.)
            extra = self.engine.search(snapshot, as_phrase, want) if phrased is None else phrased
            if not extra:
                extra = self.engine.search(snapshot, replace(plan, near=len(plan.must) + 4), want)
            new = {pid: bm25 for pid, bm25 in extra if pid not in pool}
            if new:
                known = scored + [s for s in as_said if s.passage_id in new]
                scored = self.score(
                    snapshot, {**pool, **new}, plan.must, known, plan.filters.speakers, said=said
                )
        return scored, complete

    def further(
        self,
        snapshot: Snapshot,
        plan: MatchPlan,
        want: int,
        said: tuple[int, ...],
        considered: set[int],
        deepest: int = tuning.MAX_RANKED,
    ) -> Iterator[tuple[list[PassageScore], bool]]:
        """Deeper blocks of candidates for later pages, four times larger each, up to
        `deepest`: each block scored without the passages `considered` already (which it
        adds to), and whether it was the last one the engine had (every match is ranked)."""
        block = want
        while block < deepest:
            block = min(block * 4, deepest)
            found = self.engine.search(snapshot, plan, block)
            pool = {pid: bm25 for pid, bm25 in found if pid not in considered}
            considered.update(pool)
            speakers = plan.filters.speakers
            last = len(found) < block
            yield self.score(snapshot, pool, plan.must, speakers=speakers, said=said), last
            if last:
                return

    def bound(self, snapshot: Snapshot, plan: MatchPlan) -> int:
        """At most how many passages match the plan (its rarest clause's passages)."""
        return match_bound(plan, lambda term: self.engine.term_passages(snapshot, term))

    def score(
        self,
        snapshot: Snapshot,
        pool: dict[int, float],
        must: tuple[Match, ...],
        known: list[PassageScore] | None = None,
        speakers: tuple[str, ...] = (),
        heard: tuple[tuple[Match, ...], dict[str, str]] | None = None,
        said: tuple[int, ...] = (),
    ) -> list[PassageScore]:
        """Scores the pool's passages; those already `known` are only renormalised. With
        `speakers`, only the words those people say can match. With `heard` (the plan's own
        clauses, and the terms sound-alikes brought), words matched by sound count less. With
        `said` (the clauses as the query said them), a passage saying the words so reads as
        the query word for word even when a word is said twice."""
        if not pool:
            return []
        if sorted(set(said)) != list(range(len(must))):
            said = ()  # not these clauses
        lo, hi = min(pool.values()), max(pool.values())

        def norm(bm25: float) -> float:
            return (bm25 - lo) / (hi - lo) if hi > lo else 1.0

        known = known or []
        for s in known:
            s.renormalise(norm(s.bm25))
        done = {s.passage_id for s in known}
        todo = [pid for pid in pool if pid not in done]
        passages = snapshot.passage_terms(todo)
        if speakers:
            passages = _said_only(snapshot, passages, speakers)
        prepared = plan_terms(must)
        scored = list(known)
        for pid in todo:
            if pid not in passages:
                continue  # defensive: the search reads one snapshot, so this should not happen
            talk_id, word_start, terms = passages[pid]
            bm25 = pool[pid]
            s = score_passage(pid, terms, must, norm(bm25), prepared, said)
            if s is not None:
                if heard is not None:
                    s = heard_reading(s, terms, *heard)
                s.talk_id, s.word_start, s.bm25 = talk_id, word_start, bm25
                scored.append(s)
        scored.sort(key=lambda s: (-s.score, s.passage_id))  # ties: earlier passage first
        return scored

    @staticmethod
    def may_be_misheard(plan: MatchPlan, scored: list[PassageScore], complete: bool) -> bool:
        """Whether to look for sound-alikes: nothing found, a quote found only in part, or a
        short query (a name, a term) whose every match is already in hand."""
        if not scored:
            return True
        if sum(len(flat_terms(m)) for m in plan.must) >= tuning.PARTIAL_MIN_WORDS:
            return not scored[0].is_quote
        return complete

    def sound_alikes(
        self,
        snapshot: Snapshot,
        plan: MatchPlan,
        heard: HeardPlan,
        want: int,
        passage_count: Callable[[], int],
    ) -> list[PassageScore]:
        """Passages reading as the query with sound-alike caption words, scored below the same
        words said exactly; when none holds every word, those holding most of them."""
        self.engine.read_terms(snapshot, sorted(wanted_terms(heard.plan.must)))
        pool = dict(self.engine.search(snapshot, heard.plan, want))
        if not pool and len(heard.plan.must) > 1:
            # all but one of the words, some by sound: never without the word heard (those
            # passages the words alone found), nor any of the rarer half (too little to say)
            lean = lean_heard_plan(heard, plan, self.frequencies(snapshot, plan.must))
            frequency = self.frequencies(snapshot, lean.must)
            heard_words = tuple(m for m, own in zip(lean.must, plan.must, strict=True) if m != own)
            for sub in partial_plans(
                lean, frequency, passage_count(), rare_half=False, kept=heard_words
            ):
                for pid, bm25 in self.engine.search(snapshot, sub, tuning.PARTIAL_CANDIDATES):
                    pool.setdefault(pid, bm25)
        scored = self.score(
            snapshot,
            pool,
            heard.plan.must,
            speakers=plan.filters.speakers,
            heard=(plan.must, heard.stands_for),
        )
        alone = len(plan.must) == 1
        return [
            s for s in scored if s.by_sound and (alone or s.coverage >= tuning.HEARD_MIN_COVERAGE)
        ]

    def partial(
        self, snapshot: Snapshot, plan: MatchPlan, total: int, said: tuple[int, ...] = ()
    ) -> list[PassageScore]:
        """Passages holding most of the words, ranked by coverage of all of them."""
        pool: dict[int, float] = {}
        for sub in partial_plans(plan, self.frequencies(snapshot, plan.must), total):
            for pid, bm25 in self.engine.search(snapshot, sub, tuning.PARTIAL_CANDIDATES):
                pool.setdefault(pid, bm25)
        return self.score(snapshot, pool, plan.must, speakers=plan.filters.speakers, said=said)

    def estimate_matches(self, snapshot: Snapshot, must: tuple[Match, ...], total: int) -> int:
        """Passages matching every clause, estimated from term document counts as if words
        occurred independently (exact for one word): counting them with the engine would cost
        another pass over every match."""

        def share(match: Match) -> float:
            if isinstance(match, Terms):
                found = sum(self.engine.term_passages(snapshot, alt) for alt in match.alternatives)
                return min(found / total, 1.0)
            if isinstance(match, Phrase | AllOf):
                parts = match.parts if isinstance(match, Phrase) else match.items
                return math.prod([share(p) for p in parts])  # type: ignore[arg-type]
            return min(sum(share(option) for option in match.options), 1.0)

        return round(total * math.prod([share(m) for m in must]))

    def frequencies(self, snapshot: Snapshot, must: tuple[Match, ...]) -> dict[Match, int]:
        """How many passages hold each clause's rarest word."""
        return {
            m: min(
                self.engine.term_passages(snapshot, alt)
                for t in flat_terms(m)
                for alt in t.alternatives
            )
            for m in must
        }


def with_heard(scored: list[PassageScore], heard: list[PassageScore]) -> list[PassageScore]:
    """The passages matched by sound added to those matched by the words. A passage matched
    both ways gives its sound-alike moment when an overlapping passage gives the same moment
    of the words (passages overlap: each word is in two); else its moment of the words shows
    the sound-alike words too when they are close enough to be one moment with them. The query
    as misheard, word for word, is the passage's reading unless its words are a quote there."""
    by_id = {s.passage_id: s for s in scored}
    moments = Counter(s.spot for s in scored)
    for s in heard:
        old = by_id.get(s.passage_id)
        if old is not None:
            keep_old = old.is_quote or not s.is_heard_quote
            if keep_old and s.score <= old.score and moments[old.spot] < 2:
                near = [(span, word) for span, word in s.sounds if _close(old, span)]
                if near and not old.by_sound:
                    old.sounds = near
                    old.matched = sorted({*old.matched, *(span for span, _ in near)})
                continue
            moments[old.spot] -= 1
        by_id[s.passage_id] = s
    return list(by_id.values())


def _close(s: PassageScore, span: Span) -> bool:
    """Whether words at `span` of the passage are one moment with its match (after it)."""
    return s.window.start <= span.start < s.window.start + SAME_MOMENT_WORDS


def below_exact(scored: list[PassageScore]) -> list[PassageScore]:
    """Ranked, with no passage matched by sound above one holding the words themselves as a
    quote, and the query as misheard word for word (every word held, some by sound) above
    every other reading: one lacking query words, or holding them scattered, is not the quote
    whatever it holds literally. Misheard readings keep their order among themselves."""
    exact = [s.score for s in scored if s.is_quote and not s.by_sound]
    floor = min(exact) if exact else None
    heard_quotes = [s for s in scored if s.is_heard_quote]
    others = [s.score for s in scored if not s.is_quote and not s.is_heard_quote]
    if heard_quotes and others:
        # lifted together, above the best other reading (and below the floor, if one)
        lift = max(others) + 0.001 - min(s.score for s in heard_quotes)
        if lift > 0:
            for s in heard_quotes:
                s.score += lift
    if floor is not None:
        for s in scored:
            if s.by_sound and s.score >= floor:
                s.score = floor - 0.001
    return sorted(scored, key=lambda s: (-s.score, s.passage_id))


def _one_word(plan: MatchPlan) -> bool:
    """Whether the plan asks for one word or a choice of single words ("learning OR
    xylophone", a prefix): a passage matching it reads as it whole, wherever the word stands."""
    if len(plan.must) != 1:
        return False
    match = plan.must[0]
    options = match.options if isinstance(match, AnyOf) else (match,)
    return all(isinstance(o, Terms) for o in options)


def _said_only(
    snapshot: Snapshot,
    passages: dict[int, tuple[int, int, list[str]]],
    speakers: tuple[str, ...],
) -> dict[int, tuple[int, int, list[str]]]:
    """The passages with every word said by someone else blanked out (it matches nothing)."""
    segments = snapshot.passage_segments(list(passages))
    out = {}
    for pid, (talk_id, word_start, terms) in passages.items():
        kept = [""] * len(terms)
        for seg in segments.get(pid, []):
            if spoken_by(seg.speaker, speakers):
                lo = max(seg.word_offset - word_start, 0)
                hi = min(seg.word_offset + seg.word_count - word_start, len(terms))
                kept[lo:hi] = terms[lo:hi]
        out[pid] = (talk_id, word_start, kept)
    return out


def _word_for_word(words: tuple[Terms, ...]) -> bool:
    """Whether every passage matching _as_phrases(words) says them word for word."""
    return math.prod(len(w.alternatives) for w in words) <= tuning.PHRASE_READINGS


def _as_phrases(words: tuple[Terms, ...]) -> Match:
    """The words as a phrase. A word with alternatives (a corrected typo, a prefix) makes one
    phrase per reading, as engines' phrases cannot hold alternatives; past tuning.PHRASE_READINGS
    readings, the words anywhere in the passage (ranking then looks for them in order)."""
    readings = math.prod(len(w.alternatives) for w in words)
    if readings == 1 or readings > tuning.PHRASE_READINGS:
        return Phrase(words)
    combos = itertools.product(*(w.alternatives for w in words))
    return AnyOf(tuple(Phrase(tuple(Terms((t,)) for t in combo)) for combo in combos))
