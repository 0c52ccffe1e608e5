"""The search service: parse, analyse, gather candidates from the engine, rank, relax when
nothing matches, merge hits on the same moment, and shape results. Routes and the CLI call this."""

import functools
import itertools
import logging
import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from typing import Literal

from app.search.candidates.moments import (
    SAME_MOMENT_SECONDS,
    SAME_MOMENT_WORDS,
    cap_per_talk,
    exact_moments,
    merge_moments,
)
from app.search.candidates.ranking import (
    PassageScore,
    Span,
    heard_reading,
    plan_terms,
    score_passage,
)
from app.search.engines.engine import SearchEngine
from app.search.language import query
from app.search.language.plan import (
    AllOf,
    AnyOf,
    Filters,
    Match,
    MatchPlan,
    Phrase,
    Terms,
    flat_terms,
    match_bound,
)
from app.search.language.query import ParsedQuery, parse_query
from app.search.meaning.blend import (
    MEANING_DEPTH,
    WORD_DEPTH,
    Timed,
    fuse,
    meaning_text,
    spaced,
    subject_like,
)
from app.search.meaning.nearest import MeaningHit, MeaningSearch
from app.search.meaning.subjects import subject_moments
from app.search.present.results import (
    Hit,
    MomentFacts,
    SearchResult,
    build_hits,
    moment_facts,
    spoken_by,
)
from app.search.relax import vocabulary
from app.search.relax.relaxation import (
    HeardPlan,
    corrected_plan,
    nothing_found_hint,
    partial_plans,
    phrases_as_words,
    sound_plan,
)
from app.store import QueryTimeout, Snapshot, Store
from app.store.base import TranscriptInfo
from app.text.alignment import counterparts
from app.text.analysis import stem
from app.text.passages import aligned_times

log = logging.getLogger(__name__)

CANDIDATES = 60  # passages ranked in Python per engine query
ONE_CLAUSE_CANDIDATES = 40
# of which one word's best by BM25 are ranked when it has more: 40 rare words keep their first
# page at 1,000 and 10,000 hours, in-process p50 0.87x and 0.93x of ranking all 40 (`python
# tests/bench/ab_constants.py DIR/bench.db ONE_WORD_RANKED=40 --classes rare`)
ONE_WORD_RANKED = 30
# readings word for word asked first are ranked best BM25 first, this many, and the others only
# when those hold fewer than a block's moments: 2-3 words p50 0.80x (1,000 h) and 0.75x
# (10,000 h) of ranking all 60, 1-2 first pages of 40 differing below the top two (a talk's
# further readings where another talk's came) (ab_constants.py READINGS_RANKED=60)
READINGS_RANKED = 40
PARTIAL_MIN_WORDS = 3  # shorter queries are not relaxed while something matches them whole
PARTIAL_CANDIDATES = 100
PHRASE_READINGS = 16  # most phrases tried at once for words with alternatives
NO_FILTERS = Filters()
TALK_CAP = 3  # a talk's moments past this many follow every other talk's
HEARD_MIN_COVERAGE = 0.5  # a passage matched by sound holds half the query (sound discounted)
MEANING_CANDIDATES = 80  # nearest passages read to make MEANING_DEPTH moments
Mode = Literal["auto", "words", "meaning"]
QUOTE_COMPACT = 0.75  # as ranking.PassageScore.is_quote: matched words / window length
MAX_RANKED = CANDIDATES * 4**4  # the deepest block of candidates ranked for a later page
ALL_MATCHES_FACTOR = 4  # several words in at most this many blocks' passages: all ranked
# Asked as said before their AND: a few common words (often said together) ...
PHRASE_FIRST_WORDS = 3
PREFIX_QUERY_WORDS = 128  # the words all the prefixes of one query stand for, at most
PREFIX_MIN_WORDS = 4  # the most frequent words a prefix stands for however many there are
# ... or more whose rarest is in this many passages (their AND is long to list and seldom
# complete, so the phrase pass would follow it anyway); fewer, and the AND is cheap and often
# complete: at 1,000 hours a quote's phrase asked first cost 1.18x its p50 (tests/bench/ab_http.py)
PHRASE_FIRST_BOUND = 5000


class SearchService:
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

    @property
    def semantic(self) -> str:
        """ "on", or why meaning search is off (a sentence), as the API and the pages say it."""
        return "on" if self.meaning is not None else _sentence(self.meaning_off)

    def search(
        self,
        store: Store,
        text: str,
        filters: Filters = NO_FILTERS,
        limit: int = 10,
        offset: int = 0,
        facets: bool = False,
        mode: Mode = "auto",
    ) -> SearchResult:
        """`facets`: also count the moments found per speaker (it reads every candidate's
        speaker); moments per talk are always counted. `mode`: "words" finds the words,
        "meaning" passages near the query's meaning, "auto" blends both for a query that may
        name a subject and keeps the words alone for a quote."""
        began = time.perf_counter()
        parsed = parse_query(text)
        result = SearchResult(query=text, total=0, notes=list(parsed.notes))
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
                        self._run(snapshot, parsed, filters, limit, offset, result, facets, mode)
            except QueryTimeout:
                result.notes.append(
                    "That search took too long. Add more words or put a phrase in quotes."
                )
        result.elapsed_ms = round((time.perf_counter() - began) * 1000, 1)
        if result.elapsed_ms > self.slow_ms:
            log.warning("slow search %.0f ms: q=%r filters=%s", result.elapsed_ms, text, filters)
        return result

    def related(self, store: Store, slug: str, second: float, limit: int = 5) -> list[Hit]:
        """Moments of other talks nearest in meaning to what the talk says at `second`: the
        best moment of each talk, nearest first. Empty when semantic search is off."""
        if self.meaning is None:
            return []
        with store.snapshot(self.time_limit_ms) as snapshot:
            index = self.meaning.index(snapshot)
            pid = snapshot.passage_said_at(slug, second)
            held = index.passage(pid) if pid is not None else None
            if held is None:
                return []
            vector, talk_id = held
            near = index.nearest(vector, MEANING_CANDIDATES, other_than=talk_id)
            best: dict[int, PassageScore] = {}
            for s in _meaning_scores(snapshot, near):
                if s.talk_id not in best:
                    best[s.talk_id] = s
                    if len(best) >= limit:
                        break
            return build_hits(snapshot, list(best.values()))

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
    ) -> None:
        """Ranks a first block of candidates the same way for every page, so paging neither
        repeats nor skips; deeper pages rank further blocks and list them after it. Blended
        with meaning, up to WORD_DEPTH moments where a subject's words gather and MEANING_DEPTH
        meaning moments are one fixed ranking, and the word moments follow it."""
        asked = parsed
        plan, said = self._planned(snapshot, parsed, filters)
        # the archive's passage count, read once if the partial stage or the estimate needs it
        passage_count = functools.cache(lambda: max(self.engine.count_passages(snapshot), 1))
        # one clause: BM25 alone orders the candidates, so fewer of them need ranking in Python
        want = CANDIDATES if len(plan.must) > 1 else ONE_CLAUSE_CANDIDATES
        scored, complete = self._gather(snapshot, plan, want, said)
        if not scored and any(isinstance(c, query.Phrase) for c in parsed.must):
            # the exact phrase is not there: its words, ranked by how close and in order
            parsed = phrases_as_words(parsed)
            plan, said = self._planned(snapshot, parsed, filters)
            scored, complete = self._gather(snapshot, plan, want, said)
            result.relaxed = True
            result.notes.append("The exact phrase was not found; showing its words close together.")
        if not scored:
            correction = corrected_plan(snapshot, self.speller, parsed, plan, said)
            if correction is not None:
                scored, complete = self._gather(snapshot, correction.plan, want, correction.said)
                if scored:
                    parsed, plan, said = correction.parsed, correction.plan, correction.said
                    result.corrected_query = correction.label
        if len(plan.must) >= PARTIAL_MIN_WORDS and not (scored and scored[0].is_quote):
            # no passage reads as the query; passages missing a word or two may (a misheard
            # caption, a word remembered wrong): coverage weighs against them in the ranking
            by_id = {s.passage_id: s for s in self._partial(snapshot, plan, passage_count(), said)}
            by_id.update({s.passage_id: s for s in scored})
            scored = sorted(by_id.values(), key=lambda s: (-s.score, s.passage_id))
        elif not scored and len(plan.must) > 1:
            scored = self._partial(snapshot, plan, passage_count(), said)
        if self._may_be_misheard(plan, scored, complete):
            # caption words that sound like a rare query word may be it misheard ("cattle" for
            # kaggle): found below the words themselves
            heard = sound_plan(
                self.speller.sound_index(snapshot),
                parsed,
                plan,
                lambda word: self.engine.term_passages(snapshot, stem(word)) < want,
            )
            if heard is not None:
                found = self._heard(snapshot, plan, heard, want, passage_count)
                scored = _below_exact(_with_heard(scored, found))
        if scored and scored[0].by_sound and not result.relaxed:
            result.relaxed = True
            words = " ".join(dict.fromkeys(word for _, word in scored[0].sounds))
            result.notes.append(
                f"“{words}” is not in the captions word for word; showing words that sound like "
                "it (automatic captions mishear names and terms)."
            )
        blending = (
            mode == "auto"
            and self.meaning is not None
            and subject_like(asked)
            and not (scored and _reads_as_quote(scored[0]))
        )
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
            merged = cap_per_talk(merged, TALK_CAP)
        result.total = len(merged)
        if not complete:
            result.total_exact = False
            matching = self._estimate_matches(snapshot, plan.must, passage_count())
            result.total = max(len(merged), round(matching * len(merged) / max(ranked, 1)))
        block = want
        while len(merged) < offset + limit and not complete and block < MAX_RANKED:
            block *= 4
            found = self.engine.search(snapshot, plan, block)
            complete = len(found) < block
            pool = {pid: bm25 for pid, bm25 in found if pid not in considered}
            considered.update(pool)
            more = self._score(snapshot, pool, plan.must, speakers=filters.speakers, said=said)
            new_facts = moment_facts(snapshot, more)
            facts.update(new_facts)
            times.update({pid: (f.start, f.transcript_id) for pid, f in new_facts.items()})
            merged += merge_moments(more, seen, times, merged_into)
        if blending:
            meaning = self._meaning_moments(snapshot, meaning_text(result.query), filters)
            if meaning:
                facts.update({m.score.passage_id: f for m, f in meaning.values()})
                # the word side: where the subject's words gather (else the word moments)
                subject = self._subject_moments(snapshot, meaning_text(result.query), filters)
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
                    fused = cap_per_talk(fused, TALK_CAP)
                # the other word moments follow, in the order every page sees them
                merged = fused + _not_listed(merged, fused, facts)
                result.total += extra
                result.blended = True
        self._finish(snapshot, merged, merged_into, facts, limit, offset, result, facets)
        if not merged:
            result.notes.append(nothing_found_hint(parsed))

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
        shown, also_in, transcripts = self._best_worded(snapshot, page, merged_into, facts)
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
        found = self._meaning_moments(snapshot, meaning_text(text), filters)
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

    def _meaning_moments(
        self, snapshot: Snapshot, text: str, filters: Filters
    ) -> dict[int, tuple[Timed, MomentFacts]]:
        """Up to MEANING_DEPTH moments near the text's meaning, best first, by passage id."""
        assert self.meaning is not None
        if not text:
            return {}
        index = self.meaning.index(snapshot)
        allowed = None
        if filters.talk or filters.talks is not None or filters.date_from or filters.date_to:
            allowed = snapshot.talks_matching(
                filters.talk, filters.talks, filters.date_from, filters.date_to
            )
        near = index.nearest(self.meaning.embed_query(text), MEANING_CANDIDATES, allowed)
        scores = _meaning_scores(snapshot, near)
        facts = moment_facts(snapshot, scores)
        timed = [Timed(s, facts[s.passage_id].start) for s in scores if s.passage_id in facts]
        if filters.speakers:
            timed = [
                t for t in timed if spoken_by(facts[t.score.passage_id].speaker, filters.speakers)
            ]
        kept = spaced(timed)[:MEANING_DEPTH]
        return {t.score.passage_id: (t, facts[t.score.passage_id]) for t in kept}

    def _subject_moments(
        self, snapshot: Snapshot, text: str, filters: Filters
    ) -> list[tuple[Timed, MomentFacts]]:
        """Up to WORD_DEPTH moments where the query's content words gather, best first, with
        their facts (said by the people asked for, with a speaker filter)."""
        found = subject_moments(snapshot, self.engine, text, filters, WORD_DEPTH)
        facts = moment_facts(snapshot, found)
        return [
            (Timed(s, facts[s.passage_id].start), facts[s.passage_id])
            for s in found
            if s.passage_id in facts
            and (not filters.speakers or spoken_by(facts[s.passage_id].speaker, filters.speakers))
        ]

    def _best_worded(
        self,
        snapshot: Snapshot,
        page: list[PassageScore],
        merged_into: dict[int, list[PassageScore]],
        facts: dict[int, MomentFacts],
    ) -> tuple[dict[int, PassageScore], dict[int, list[str]], dict[int, TranscriptInfo]]:
        """For each hit found in a talk's other transcript (the captions), the passage of its
        leading transcript (the edited text) to show instead, the other transcripts that
        matched at that moment, and the transcripts read on the way (by id)."""
        if not page:
            return {}, {}, {}
        leads = snapshot.lead_transcripts([s.talk_id for s in page])
        # each hit and the passages merged into it, and their transcripts: only those
        # transcripts' kinds are shown
        groups = {s.passage_id: [s, *merged_into.get(s.passage_id, [])] for s in page}
        transcript_ids = {
            pid: [_transcript_of(facts, g) for g in group] for pid, group in groups.items()
        }
        ids = {t for tids in transcript_ids.values() for t in tids if t}
        lead_ids = {lead.id for lead in leads.values()}
        kinds = snapshot.transcript_kinds(sorted(ids)) if ids - lead_ids else {}
        shown: dict[int, PassageScore] = {}
        also_in: dict[int, list[str]] = {}
        for s in page:
            lead = leads.get(s.talk_id)
            own = facts.get(s.passage_id)
            if lead is None or own is None:
                continue
            group, tids = groups[s.passage_id], transcript_ids[s.passage_id]
            others = {kinds[t].kind for t in tids if t in kinds and t != lead.id}
            if own.transcript_id == lead.id:
                also_in[s.passage_id] = sorted(others)
                continue
            in_lead = [g for g, t in zip(group, tids, strict=True) if t == lead.id]
            display = in_lead[0] if in_lead else self._lead_passage(snapshot, s, lead.id, own.start)
            if display is not None:
                shown[s.passage_id] = display
                also_in[s.passage_id] = sorted(others)
        known = {info.id: info for info in leads.values()} | kinds
        return shown, also_in, known

    def _lead_passage(
        self, snapshot: Snapshot, s: PassageScore, lead_id: int, second: float
    ) -> PassageScore | None:
        """The leading transcript's passage said at `second`, with the words marked that stand
        for the caption words matched (aligned: "Timsort" for a matched "team sword")."""
        segment = snapshot.segment_at(s.talk_id, lead_id, second + 0.5)
        if segment is None:
            return None
        times = aligned_times(segment.word_times) if segment.word_times else ()
        inside = next((k for k, said in enumerate(times) if said >= second - 0.5), 0)
        pids = snapshot.passages_holding(s.talk_id, segment.word_offset + inside)
        found = snapshot.passage_terms([*pids, s.passage_id])
        if s.passage_id not in found:
            return None
        caption_terms = found[s.passage_id][2]
        matched = [j for span in s.matched for j in range(span.start, span.end)]
        best: tuple[int, PassageScore] | None = None
        for pid in pids:
            if pid not in found:
                continue
            talk_id, word_start, terms = found[pid]
            parts = counterparts(terms, caption_terms)
            marked = sorted({i for j in matched for i in range(*parts[j])})
            if not marked or (best is not None and len(marked) <= best[0]):
                continue
            spans = _spans(marked)
            shown = replace(
                s, passage_id=pid, window=Span(marked[0], marked[-1] + 1), matched=spans
            )
            shown.talk_id, shown.word_start = talk_id, word_start
            best = (len(marked), shown)
        return best[1] if best else None

    def _planned(
        self, snapshot: Snapshot, parsed: ParsedQuery, filters: Filters
    ) -> tuple[MatchPlan, tuple[int, ...]]:
        """The plan, and for each clause as said its place among the plan's clauses (a word
        said twice is one clause of the plan, twice in the phrase pass and the label)."""
        places: dict[query.Clause, int] = {}
        said = tuple(places.setdefault(c, len(places)) for c in parsed.must)
        return self._plan(snapshot, parsed, filters), said

    def _plan(self, snapshot: Snapshot, parsed: ParsedQuery, filters: Filters) -> MatchPlan:
        # a word said twice in a quote is one clause: ranking looks for each clause once
        parsed.must = list(dict.fromkeys(parsed.must))
        prefixes = sum(_prefixes(c) for c in (*parsed.must, *parsed.must_not))
        # the words every prefix of the query may stand for, shared among them
        per_prefix = max(PREFIX_MIN_WORDS, PREFIX_QUERY_WORDS // max(prefixes, 1))
        per_prefix = min(per_prefix, vocabulary.PREFIX_WORDS)
        return MatchPlan(
            must=tuple(self._analyse(snapshot, c, per_prefix) for c in parsed.must),
            must_not=tuple(self._analyse(snapshot, c, per_prefix) for c in parsed.must_not),
            filters=filters,
        )

    def _analyse(self, snapshot: Snapshot, clause: query.Clause, per_prefix: int) -> Match:
        if isinstance(clause, query.Word):
            if clause.prefix:
                expanded = vocabulary.expand_prefix(snapshot, clause.text, per_prefix)
                stems = dict.fromkeys(stem(w) for w in expanded) or {stem(clause.text): None}
                return Terms(tuple(stems))
            return Terms((stem(clause.text),))
        if isinstance(clause, query.Phrase):
            return Phrase(tuple(Terms((stem(w),)) for w in clause.words))
        assert isinstance(clause, query.AnyOf)
        options = dict.fromkeys(self._analyse(snapshot, o, per_prefix) for o in clause.options)
        return AnyOf(tuple(options))  # type: ignore[arg-type]

    def _gather(
        self, snapshot: Snapshot, plan: MatchPlan, want: int, said: tuple[int, ...] = ()
    ) -> tuple[list[PassageScore], bool]:
        """Candidates for the plan (by BM25, and for several plain words also by nearness and
        as a phrase: its clauses in the order `said`, a word said twice twice), ranked in
        Python. Also says whether every match was fetched."""
        plain = bool(plan.must) and all(isinstance(m, Terms) for m in plan.must)
        bound = self._bound(snapshot, plan) if plain else 0
        if plain and bound == 0:
            return [], True  # a word the archive never says (a typo): no passage holds them all
        words_only = plain and len(plan.must) > 1
        all_matches = words_only and bound <= want * ALL_MATCHES_FACTOR
        if all_matches:
            # several plain words, one of them rare: every passage holding them all is ranked
            # here (the quote among them), and no phrase pass is needed
            want *= ALL_MATCHES_FACTOR
        full = want // 3  # exact moments that fill a block: no other candidates are needed
        as_phrase = None
        phrased: list[tuple[int, float]] | None = None  # not asked yet
        as_said: list[PassageScore] = []  # phrased, scored
        exact_said = 0  # distinct moments among them that read as the query word for word
        if words_only and not all_matches:
            words = tuple(plan.must[k] for k in said) if said else plan.must
            as_phrase = replace(plan, must=(_as_phrases(words),))  # type: ignore[arg-type]
            if self.engine.cheap_phrases and (
                len(plan.must) <= PHRASE_FIRST_WORDS or bound >= PHRASE_FIRST_BOUND
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
                first = phrased[:READINGS_RANKED] if _word_for_word(words) else phrased
                as_said = self._score(
                    snapshot, dict(first), plan.must, speakers=plan.filters.speakers, said=said
                )
                exact_said = exact_moments(as_said)
                if exact_said < full and len(first) < len(phrased):
                    speakers = plan.filters.speakers
                    as_said = self._score(
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
            found = found[:ONE_WORD_RANKED]
        pool = dict(found)
        # the readings as said among them are scored already: where the words stand does not
        # change, only the BM25 they are weighed with
        known = [replace(s, bm25=pool[s.passage_id]) for s in as_said if s.passage_id in pool]
        scored = self._score(
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
                scored = self._score(
                    snapshot, {**pool, **new}, plan.must, known, plan.filters.speakers, said=said
                )
        return scored, complete

    def _bound(self, snapshot: Snapshot, plan: MatchPlan) -> int:
        """At most how many passages match the plan (its rarest clause's passages)."""
        return match_bound(plan, lambda term: self.engine.term_passages(snapshot, term))

    def _score(
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
    def _may_be_misheard(plan: MatchPlan, scored: list[PassageScore], complete: bool) -> bool:
        """Whether to look for sound-alikes: nothing found, a quote found only in part, or a
        short query (a name, a term) whose every match is already in hand."""
        if not scored:
            return True
        if sum(len(flat_terms(m)) for m in plan.must) >= PARTIAL_MIN_WORDS:
            return not scored[0].is_quote
        return complete

    def _heard(
        self,
        snapshot: Snapshot,
        plan: MatchPlan,
        heard: HeardPlan,
        want: int,
        passage_count: Callable[[], int],
    ) -> list[PassageScore]:
        """Passages reading as the query with sound-alike caption words, scored below the same
        words said exactly; when none holds every word, those holding most of them."""
        pool = dict(self.engine.search(snapshot, heard.plan, want))
        if not pool and len(heard.plan.must) > 1:
            frequency = self._frequencies(snapshot, heard.plan.must)
            for sub in partial_plans(heard.plan, frequency, passage_count()):
                for pid, bm25 in self.engine.search(snapshot, sub, PARTIAL_CANDIDATES):
                    pool.setdefault(pid, bm25)
        scored = self._score(
            snapshot,
            pool,
            heard.plan.must,
            speakers=plan.filters.speakers,
            heard=(plan.must, heard.stands_for),
        )
        alone = len(plan.must) == 1
        return [s for s in scored if s.by_sound and (alone or s.coverage >= HEARD_MIN_COVERAGE)]

    def _partial(
        self, snapshot: Snapshot, plan: MatchPlan, total: int, said: tuple[int, ...] = ()
    ) -> list[PassageScore]:
        """Passages holding most of the words, ranked by coverage of all of them."""
        pool: dict[int, float] = {}
        for sub in partial_plans(plan, self._frequencies(snapshot, plan.must), total):
            for pid, bm25 in self.engine.search(snapshot, sub, PARTIAL_CANDIDATES):
                pool.setdefault(pid, bm25)
        return self._score(snapshot, pool, plan.must, speakers=plan.filters.speakers, said=said)

    def _estimate_matches(self, snapshot: Snapshot, must: tuple[Match, ...], total: int) -> int:
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

    def _frequencies(self, snapshot: Snapshot, must: tuple[Match, ...]) -> dict[Match, int]:
        """How many passages hold each clause's rarest word."""
        return {
            m: min(
                self.engine.term_passages(snapshot, alt)
                for t in flat_terms(m)
                for alt in t.alternatives
            )
            for m in must
        }


def _reads_as_quote(best: PassageScore) -> bool:
    """The best word match holds every word close together (the words as said, or with a
    word in another order, form or spelling: a quote remembered with a slip): words answer
    it. A subject's words are spread out (compact 0.2-0.4 on the topic queries, 1.0 on the
    quotes with typos)."""
    return best.is_quote or (best.coverage == 1.0 and best.compact >= QUOTE_COMPACT)


def _meaning_scores(snapshot: Snapshot, near: list[MeaningHit]) -> list[PassageScore]:
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


def _sentence(text: str) -> str:
    """A one-line reason as a sentence."""
    text = text.strip() or "semantic search is off"
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _with_heard(scored: list[PassageScore], heard: list[PassageScore]) -> list[PassageScore]:
    """The passages matched by sound added to those matched by the words. A passage matched
    both ways gives its sound-alike moment when an overlapping passage gives the same moment
    of the words (passages overlap: each word is in two); else its moment of the words shows
    the sound-alike words too when they are close enough to be one moment with them."""
    by_id = {s.passage_id: s for s in scored}
    moments = Counter(s.spot for s in scored)
    for s in heard:
        old = by_id.get(s.passage_id)
        if old is not None:
            if s.score <= old.score and moments[old.spot] < 2:
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


def _below_exact(scored: list[PassageScore]) -> list[PassageScore]:
    """Ranked, with no passage matched by sound above one holding the words themselves as a
    quote."""
    exact = [s.score for s in scored if s.is_quote and not s.by_sound]
    if exact:
        floor = min(exact)
        for s in scored:
            if s.by_sound and s.score >= floor:
                s.score = floor - 0.001
    return sorted(scored, key=lambda s: (-s.score, s.passage_id))


def _spans(positions: list[int]) -> list[Span]:
    """Sorted word positions as runs of consecutive words."""
    spans: list[Span] = []
    for k in positions:
        if spans and spans[-1].end == k:
            spans[-1] = Span(spans[-1].start, k + 1)
        else:
            spans.append(Span(k, k + 1))
    return spans


def _one_word(plan: MatchPlan) -> bool:
    """Whether the plan asks for one word or a choice of single words ("learning OR
    xylophone", a prefix): a passage matching it reads as it whole, wherever the word stands."""
    if len(plan.must) != 1:
        return False
    match = plan.must[0]
    options = match.options if isinstance(match, AnyOf) else (match,)
    return all(isinstance(o, Terms) for o in options)


def _transcript_of(facts: dict[int, MomentFacts], s: PassageScore) -> int | None:
    found = facts.get(s.passage_id)
    return found.transcript_id if found else None


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


def _word_for_word(words: tuple[Terms, ...]) -> bool:
    """Whether every passage matching _as_phrases(words) says them word for word."""
    return math.prod(len(w.alternatives) for w in words) <= PHRASE_READINGS


def _as_phrases(words: tuple[Terms, ...]) -> Match:
    """The words as a phrase. A word with alternatives (a corrected typo, a prefix) makes one
    phrase per reading, as engines' phrases cannot hold alternatives; past PHRASE_READINGS
    readings, the words anywhere in the passage (ranking then looks for them in order)."""
    readings = math.prod(len(w.alternatives) for w in words)
    if readings == 1 or readings > PHRASE_READINGS:
        return Phrase(words)
    combos = itertools.product(*(w.alternatives for w in words))
    return AnyOf(tuple(Phrase(tuple(Terms((t,)) for t in combo)) for combo in combos))


def _prefixes(clause: query.Clause) -> int:
    if isinstance(clause, query.AnyOf):
        return sum(_prefixes(o) for o in clause.options)
    return int(isinstance(clause, query.Word) and clause.prefix)
