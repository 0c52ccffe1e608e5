"""The search service: parse, analyse, gather candidates from the engine, rank, relax when
nothing matches, merge hits on the same moment, and shape results. Routes and the CLI call this."""

import functools
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Literal

from app.search import tuning
from app.search.candidates.gather import Candidates, below_exact, with_heard
from app.search.candidates.moments import cap_per_talk, merge_moments
from app.search.candidates.ranking import PassageScore
from app.search.engines.engine import SearchEngine
from app.search.language import query
from app.search.language.plan import Filters, MatchPlan
from app.search.language.planning import planned
from app.search.language.query import ParsedQuery, parse_query
from app.search.meaning.blend import (
    meaning_text,
    reads_as_quote,
    subject_like,
)
from app.search.meaning.lookup import MeaningLookup
from app.search.meaning.nearest import MeaningSearch, off_sentence
from app.search.present.results import (
    Hit,
    MomentFacts,
    SearchResult,
    build_hits,
    moment_facts,
    spoken_by,
)
from app.search.present.wording import best_worded
from app.search.relax import vocabulary
from app.search.relax.relaxation import (
    common_words,
    corrected_plan,
    nothing_found_hint,
    phrases_as_words,
    sound_plan,
)
from app.store import QueryTimeout, Snapshot, Store
from app.text.analysis import stem

log = logging.getLogger(__name__)

NO_FILTERS = Filters()
Mode = Literal["auto", "words", "meaning"]


class SearchService:
    """One search from the text typed to a page of hits: it decides which stages a query needs
    and in what order; each stage lives in its own room (language/, candidates/, relax/,
    meaning/, present/)."""

    def __init__(
        self,
        engine: SearchEngine,
        time_limit_ms: int = 5000,
        slow_ms: int = 200,
        meaning: MeaningSearch | None = None,
        meaning_off: str = "",
    ):
        """`meaning`: nearest passages by meaning, None when semantic search is off
        (`meaning_off` says why)."""
        self.engine = engine
        self.time_limit_ms = time_limit_ms
        self.slow_ms = slow_ms
        self.speller = vocabulary.Speller()
        self.meaning = meaning
        self.meaning_off = meaning_off
        self.candidates = Candidates(engine)
        self.lookup = MeaningLookup(meaning, engine) if meaning is not None else None
        self.on_search: Callable[[str, float, int], None] | None = None  # mode, ms, total

    @property
    def semantic(self) -> str:
        """ "on", or why meaning search is off (a sentence), as the API and the pages say it."""
        return "on" if self.meaning is not None else off_sentence(self.meaning_off)

    def search(
        self,
        store: Store,
        text: str,
        filters: Filters = NO_FILTERS,
        limit: int = 10,
        offset: int = 0,
        facets: bool = False,
        mode: Mode = "auto",
        whole: bool = False,
    ) -> SearchResult:
        """`facets`: also count the moments found per speaker (it reads every candidate's
        speaker); moments per talk are always counted. `mode`: "words" finds the words,
        "meaning" passages near the query's meaning, "auto" blends both for a query that may
        name a subject and keeps the words alone for a quote. `whole` (a search page): every
        moment is ranked, up to PAGE_RANKED passages, so the total is exact (or "more than",
        with pages reaching it) and the counts per talk and speaker are those a filter gives."""
        began = time.perf_counter()
        parsed = parse_query(text)
        result = SearchResult(query=text, total=0, notes=[*parsed.notes, *common_words(parsed)])
        result.mode = mode
        result.semantic = self.semantic
        if mode == "meaning" and self.meaning is None:
            result.notes.append(f"{self.semantic} Showing word matches.")
            mode = "words"
        if parsed.speakers:
            filters = replace(filters, speakers=filters.speakers + tuple(parsed.speakers))
        if parsed.is_empty:
            if parsed.speakers and not parsed.must_not:
                names = " and ".join(parsed.speakers)
                result.notes.append(f"Add words to search what {names} said.")
            elif text.strip() and not any(c.isalnum() for c in text):
                result.notes.append("Emoji and symbols are not searched: type words.")
            elif not parsed.must_not and not parsed.notes:
                result.notes.append("Type a word or a quote to search for.")
        else:
            try:
                with store.snapshot(self.time_limit_ms) as snapshot:
                    if mode == "meaning":
                        self._run_meaning(snapshot, text, filters, limit, offset, result, facets)
                    else:
                        self._run(
                            snapshot, parsed, filters, limit, offset, result, facets, mode, whole
                        )
            except QueryTimeout:
                result.notes.append(
                    "That search took too long. Add more words or put a phrase in quotes."
                )
        result.elapsed_ms = round((time.perf_counter() - began) * 1000, 1)
        if result.elapsed_ms > self.slow_ms:
            log.warning("slow search %.0f ms: q=%r filters=%s", result.elapsed_ms, text, filters)
        if self.on_search is not None:
            self.on_search(mode, result.elapsed_ms, result.total)
        return result

    def related(self, store: Store, slug: str, second: float, limit: int = 5) -> list[Hit]:
        """Moments of other talks nearest in meaning to what the talk says at `second`: the
        best moment of each talk, nearest first. Empty when semantic search is off."""
        if self.lookup is None:
            return []
        return self.lookup.related(store, slug, second, limit, self.time_limit_ms)

    # -- stages ---------------------------------------------------------------------------

    def _run(
        self,
        snapshot: Snapshot,
        parsed: ParsedQuery,
        filters: Filters,
        limit: int,
        offset: int,
        result: SearchResult,
        facets: bool,
        mode: Mode = "words",
        whole: bool = False,
    ) -> None:
        """Ranks a first block of candidates the same way for every page, so paging neither
        repeats nor skips; deeper pages rank further blocks and list them after it. Blended
        with meaning, up to WORD_DEPTH moments where a subject's words gather and MEANING_DEPTH
        meaning moments are one fixed ranking, and the word moments follow it."""
        asked = parsed
        asked_filters = filters
        said_by: tuple[str, ...] = ()
        planned_wide = None
        if whole and filters.speakers:
            # when every match is ranked, a speaker's moments are the unfiltered search's
            # moments they say: the count the speaker facet showed, exactly
            wide = replace(filters, speakers=())
            wide_plan = planned(snapshot, parsed, wide)
            if self.candidates.bound(snapshot, wide_plan[0]) < tuning.PAGE_RANKED:
                said_by, filters, planned_wide = filters.speakers, wide, wide_plan
        plan, said = planned_wide or planned(snapshot, parsed, filters)
        # the archive's passage count, read once if the partial stage or the estimate needs it
        passage_count = functools.cache(lambda: max(self.engine.count_passages(snapshot), 1))
        # one clause: BM25 alone orders the candidates, so fewer of them need ranking in Python
        want = tuning.CANDIDATES if len(plan.must) > 1 else tuning.ONE_CLAUSE_CANDIDATES
        scored, complete = self.candidates.gather(snapshot, plan, want, said)
        if not scored and any(isinstance(c, query.Phrase) for c in parsed.must):
            # the exact phrase is not there: its words, ranked by how close and in order
            parsed = phrases_as_words(parsed)
            plan, said = planned(snapshot, parsed, filters)
            scored, complete = self.candidates.gather(snapshot, plan, want, said)
            result.relaxed = True
            result.notes.append("The exact phrase was not found; showing its words close together.")
        partial = None  # the passages holding most of the words, once looked for
        heard_first: list[PassageScore] | None = None  # sound-alikes looked for before a typo
        if not scored:
            correction = corrected_plan(snapshot, self.speller, parsed, plan, said)
            if correction is not None and correction.far:
                # "timsort" is two edits from "import": a word the captions misheard ("team
                # sword") is the likelier reading, and the correction only the fallback
                heard_first = self._heard(snapshot, parsed, plan, [], want, passage_count)
                if heard_first:
                    scored, correction = heard_first, None
            if correction is not None:
                scored, complete = self.candidates.gather(
                    snapshot, correction.plan, want, correction.said
                )
                if not scored and len(correction.plan.must) > 1:
                    # a typo in a quote remembered in part ("go fra, go togehter"): its words
                    # as corrected, when the passages holding most of them hold half at least
                    partial = self.candidates.partial(
                        snapshot, correction.plan, passage_count(), correction.said
                    )
                    if not partial or partial[0].coverage < tuning.CORRECTED_PARTIAL_COVERAGE:
                        partial = None
                if scored or partial:
                    parsed, plan, said = correction.parsed, correction.plan, correction.said
                    result.corrected_query = correction.label
        subject = mode == "auto" and self.lookup is not None and subject_like(asked)
        # a subject's nearest passages by meaning, looked for beside the rest of the words'
        # search; not for a quote, nor a typo corrected (mostly a quote the words find next)
        near = None
        maybe_blended = subject and not (scored and reads_as_quote(scored[0]))
        if maybe_blended and not result.corrected_query and self.lookup is not None:
            near = self.lookup.nearest_beside(snapshot, result.query, filters)
        if len(plan.must) >= tuning.PARTIAL_MIN_WORDS and not (scored and scored[0].is_quote):
            # no passage reads as the query; passages missing a word or two may (a misheard
            # caption, a word remembered wrong): coverage weighs against them in the ranking
            if partial is None:
                partial = self.candidates.partial(snapshot, plan, passage_count(), said)
            by_id = {s.passage_id: s for s in partial}
            by_id.update({s.passage_id: s for s in scored})
            scored = sorted(by_id.values(), key=lambda s: (-s.score, s.passage_id))
        elif not scored and len(plan.must) > 1:
            scored = partial or self.candidates.partial(snapshot, plan, passage_count(), said)
        if heard_first is None and self.candidates.may_be_misheard(plan, scored, complete):
            scored = self._heard(snapshot, parsed, plan, scored, want, passage_count)
        heard_words = ""  # said in a note once the hits show whose words were heard
        if scored and scored[0].by_sound and not result.relaxed:
            result.relaxed = True
            heard_words = " ".join(dict.fromkeys(word for _, word in scored[0].sounds))
        blending = subject and not (scored and reads_as_quote(scored[0]))
        if scored and scored[0].coverage < 1.0 and not result.relaxed and not blending:
            result.relaxed = True
            result.notes.append("No passage holds all the words; showing the closest matches.")
        considered = {s.passage_id for s in scored}
        ranked = len(scored)
        # with a speaker filter, scoring saw only that person's words (_said_only): every
        # moment's first matched word is theirs
        facts = moment_facts(snapshot, scored)
        times = {pid: (f.start, f.transcript_id) for pid, f in facts.items()}
        seen: dict[int, list[tuple[int, float, int | None, int, bool]]] = {}
        merged_into: dict[int, list[PassageScore]] = {}
        merged = merge_moments(scored, seen, times, merged_into)
        if not filters.talk:
            merged = cap_per_talk(merged, tuning.TALK_CAP)
        result.total = len(merged)
        if not complete:
            result.total_exact = False
            matching = self.candidates.estimate_matches(snapshot, plan.must, passage_count())
            result.total = max(len(merged), round(matching * len(merged) / max(ranked, 1)))
        deepest = tuning.PAGE_RANKED if whole else tuning.MAX_RANKED
        deeper = self.candidates.further(snapshot, plan, want, said, considered, deepest)
        while not complete and (whole or len(merged) < offset + limit):
            if (block := next(deeper, None)) is None:
                break
            more, complete = block
            new_facts = moment_facts(snapshot, more)
            facts.update(new_facts)
            times.update({pid: (f.start, f.transcript_id) for pid, f in new_facts.items()})
            merged += merge_moments(more, seen, times, merged_into)
        if blending and self.lookup is not None:
            blended = self.lookup.blend(snapshot, result.query, filters, merged, facts, near)
            if blended is not None:
                merged, extra = blended
                result.total += extra
                result.blended = True
        if said_by:
            merged = [
                s
                for s in merged
                if s.passage_id in facts and spoken_by(facts[s.passage_id].speaker, said_by)
            ]
        if whole:
            result.total, result.total_exact = len(merged), complete
        self._finish(snapshot, merged, merged_into, facts, limit, offset, result, facets)
        if heard_words:
            result.notes.append(_heard_note(heard_words, result.hits))
        if not merged:
            result.notes.append(nothing_found_hint(parsed, filtered=asked_filters != NO_FILTERS))

    def _heard(
        self,
        snapshot: Snapshot,
        parsed: ParsedQuery,
        plan: MatchPlan,
        scored: list[PassageScore],
        want: int,
        passage_count: Callable[[], int],
    ) -> list[PassageScore]:
        """The readings `scored` with those where caption words that sound like a rare query
        word may be it misheard ("cattle" for kaggle), found below the words themselves. In a
        quote found nowhere as said, a word in up to SOUND_IN_QUOTE_SHARE of the passages may
        be misheard too."""
        in_quote = len(plan.must) >= tuning.PARTIAL_MIN_WORDS
        rare_below = max(want, tuning.SOUND_IN_QUOTE_SHARE * passage_count() * in_quote)
        heard = sound_plan(
            self.speller.sound_index(snapshot),
            parsed,
            plan,
            lambda word: self.engine.term_passages(snapshot, stem(word)) < rare_below,
            in_quote,
        )
        if heard is None:
            return scored
        found = self.candidates.sound_alikes(snapshot, plan, heard, want, passage_count)
        return below_exact(with_heard(scored, found))

    def _finish(
        self,
        snapshot: Snapshot,
        merged: list[PassageScore],
        merged_into: dict[int, list[PassageScore]],
        facts: dict[int, MomentFacts],
        limit: int,
        offset: int,
        result: SearchResult,
        facets: bool,
    ) -> None:
        """Counts per talk and speaker, and the page's hits."""
        for s in merged:
            result.talk_moments[s.talk_id] = result.talk_moments.get(s.talk_id, 0) + 1
            who = facts[s.passage_id].speaker if s.passage_id in facts else None
            if facets and who:
                result.speaker_moments[who] = result.speaker_moments.get(who, 0) + 1
        page = merged[offset : offset + limit]
        shown, also_in, transcripts = best_worded(snapshot, page, merged_into, facts)
        result.hits = build_hits(snapshot, page, shown, also_in, transcripts)
        if result.hits and result.hits[0].match == "sound":
            result.heard_as = list(
                dict.fromkeys(a.heard for h in result.hits for a in h.sounds_like)
            )[:3]

    def _run_meaning(
        self,
        snapshot: Snapshot,
        text: str,
        filters: Filters,
        limit: int,
        offset: int,
        result: SearchResult,
        facets: bool,
    ) -> None:
        """The passages nearest the query's meaning, one moment each, words not asked for."""
        assert self.lookup is not None
        found = self.lookup.moments(snapshot, meaning_text(text), filters)
        merged = []
        for rank, (m, _) in enumerate(found.values()):
            m.score.matched_by = "meaning"
            m.score.score = round(1.0 / (1 + rank), 4)
            merged.append(m.score)
        facts = {pid: f for pid, (_, f) in found.items()}
        result.total = len(merged)
        self._finish(snapshot, merged, {}, facts, limit, offset, result, facets)
        if not merged:
            result.notes.append("Nothing near that meaning: try other words.")


def _heard_note(words: str, hits: list[Hit]) -> str:
    """Why the best hits do not hold a query word as typed: captions misheard it, or (a
    person's transcript) it is spelled otherwise there."""
    if any(a.heard_in == "captions" for h in hits[:1] for a in h.sounds_like) or not hits:
        return (
            f"“{words}” is not in the captions word for word; showing words that sound like "
            "it (automatic captions mishear names and terms)."
        )
    return f"“{words}” is not in the transcripts as typed; showing words spelled like it."
