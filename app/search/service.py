"""The search service: parse, analyse, gather candidates from the engine, rank, relax when
nothing matches, merge hits on the same moment, and shape results. Routes and the CLI call this."""

import functools
import itertools
import json
import logging
import math
import re
import time
from dataclasses import dataclass, field, replace

from sqlalchemy import Connection

from app.db import driver_rows, time_limit
from app.search import vocabulary
from app.search.analysis import stem
from app.search.engine import QueryTimeout, SearchEngine
from app.search.plan import AllOf, Either, Filters, Match, MatchPlan, Terms, flat_terms
from app.search.plan import Sequence as Phrase
from app.search.query import AnyOf, Clause, ParsedQuery, Word, parse_query
from app.search.query import Phrase as QPhrase
from app.search.ranking import PassageScore, score_passage, wanted_terms
from app.search.snippets import Moment, SegmentRow, build_moment

log = logging.getLogger(__name__)
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")

CANDIDATES = 60  # passages ranked in Python per engine query
ONE_CLAUSE_CANDIDATES = 40
RARE_WORD_COUNT = 2  # a word seen this rarely may be a caption error or a typo ...
COMMON_RATIO = 20  # ... when a close word is this many times more common
PARTIAL_MIN_WORDS = 3  # shorter queries are not relaxed while something matches them whole
MAX_DROP_ONE_WORDS = 8
RARE_HALF_MIN_WORDS = 5
RARE_SHARE = 0.2  # a word in more than this share of passages says little about where
PARTIAL_CANDIDATES = 100
PHRASE_READINGS = 16  # most phrases tried at once for words with alternatives
NO_FILTERS = Filters()
SAME_MOMENT_WORDS = 20  # hits of one talk closer than this are one moment
STRONG_SHARE = 0.95  # a talk's second moment keeps its rank only if it scores this close

PASSAGE_SQL = (
    "SELECT p.id, p.talk_id, p.word_start, p.first_segment, p.last_segment, "
    "t.slug, t.title, t.date, t.speakers, t.youtube_id, t.video_url, t.media_url "
    "FROM passages p JOIN talks t ON t.id = p.talk_id WHERE p.id IN ({marks})"
)
TERMS_SQL = "SELECT id, talk_id, word_start, terms FROM passages WHERE id IN ({marks})"
SEGMENTS_SQL = (
    'SELECT ? AS hit, ord, start, "end", speaker, text, word_offset, word_count FROM segments '
    "WHERE talk_id = ? AND ord BETWEEN ? AND ?"
)


@dataclass
class TalkRef:
    slug: str
    title: str
    date: str | None
    speakers: list[str]
    youtube_id: str | None
    video_url: str | None
    media_url: str | None


@dataclass
class Hit:
    talk: TalkRef
    start: float
    end: float | None
    speaker: str | None
    text: str
    snippet: str
    url: str
    video_url: str | None
    score: float
    partial: bool  # not every query word is in this passage


@dataclass
class SearchResult:
    query: str
    total: int
    hits: list[Hit] = field(default_factory=list)
    total_exact: bool = True
    relaxed: bool = False
    corrected_query: str | None = None
    notes: list[str] = field(default_factory=list)
    elapsed_ms: float = 0.0


def moment_url(slug: str, start: float) -> str:
    return f"/talks/{slug}?t={int(start)}"


def source_video_url(talk: TalkRef, start: float) -> str | None:
    """The original video at that second, where known."""
    seconds = int(start)
    if talk.youtube_id and _YOUTUBE_ID.match(talk.youtube_id):
        return f"https://www.youtube.com/watch?v={talk.youtube_id}&t={seconds}s"
    if talk.video_url:
        sep = "&" if "?" in talk.video_url else "?"
        return f"{talk.video_url}{sep}t={seconds}" if "youtu" in talk.video_url else talk.video_url
    if talk.media_url:
        return f"{talk.media_url}#t={seconds}"
    return None


class SearchService:
    def __init__(self, engine: SearchEngine, time_limit_ms: int = 5000, slow_ms: int = 200):
        self.engine = engine
        self.time_limit_ms = time_limit_ms
        self.slow_ms = slow_ms
        self.speller = vocabulary.Speller()

    def search(
        self,
        conn: Connection,
        text: str,
        filters: Filters = NO_FILTERS,
        limit: int = 10,
        offset: int = 0,
    ) -> SearchResult:
        began = time.perf_counter()
        parsed = parse_query(text)
        result = SearchResult(query=text, total=0, notes=list(parsed.notes))
        if parsed.speakers:
            filters = replace(filters, speakers=filters.speakers + tuple(parsed.speakers))
        if parsed.is_empty:
            if not parsed.must_not:
                result.notes.append("Type a word or a quote to search for.")
        else:
            try:
                with time_limit(conn, self.time_limit_ms):
                    self._run(conn, parsed, filters, limit, offset, result)
            except QueryTimeout:
                result.notes.append(
                    "That search took too long. Add more words or put a phrase in quotes."
                )
        result.elapsed_ms = round((time.perf_counter() - began) * 1000, 1)
        if result.elapsed_ms > self.slow_ms:
            log.warning("slow search %.0f ms: q=%r filters=%s", result.elapsed_ms, text, filters)
        return result

    # -- stages ---------------------------------------------------------------------------

    def _run(
        self,
        conn: Connection,
        parsed: ParsedQuery,
        filters: Filters,
        limit: int,
        offset: int,
        result: SearchResult,
    ) -> None:
        plan = self._plan(conn, parsed, filters)
        # the archive's passage count, read once if the partial stage or the estimate needs it
        passage_count = functools.cache(lambda: max(self.engine.count_passages(conn), 1))
        # one clause: BM25 alone orders the candidates, so fewer of them need ranking in Python
        pool_size = CANDIDATES if len(plan.must) > 1 else ONE_CLAUSE_CANDIDATES
        want = max(pool_size, 2 * (offset + limit))
        scored, complete = self._gather(conn, plan, want, offset + limit)
        if not scored and any(isinstance(c, QPhrase) for c in parsed.must):
            # the exact phrase is not there: its words, ranked by how close and in order
            parsed = _phrases_as_words(parsed)
            plan = self._plan(conn, parsed, filters)
            scored, complete = self._gather(conn, plan, want, offset + limit)
            result.relaxed = True
            result.notes.append("The exact phrase was not found; showing its words close together.")
        if not scored:
            corrected, label = self._correct(conn, parsed, plan)
            if corrected is not None:
                scored, complete = self._gather(conn, corrected, want, offset + limit)
                if scored:
                    plan = corrected
                    result.corrected_query = label
        if len(plan.must) >= PARTIAL_MIN_WORDS and not (scored and scored[0].is_quote):
            # no passage reads as the query; passages missing a word or two may (a misheard
            # caption, a word remembered wrong): coverage weighs against them in the ranking
            by_id = {s.passage_id: s for s in self._partial(conn, plan, passage_count())}
            by_id.update({s.passage_id: s for s in scored})
            scored = sorted(by_id.values(), key=lambda s: (-s.score, s.passage_id))
        elif not scored and len(plan.must) > 1:
            scored = self._partial(conn, plan, passage_count())
        if scored and scored[0].coverage < 1.0 and not result.relaxed:
            result.relaxed = True
            result.notes.append("No passage holds all the words; showing the closest matches.")
        merged = _merge_moments(scored)
        result.total = len(merged)
        if not complete:
            result.total_exact = False
            matching = self._estimate_matches(conn, plan.must, passage_count())
            result.total = max(len(merged), round(matching * len(merged) / max(len(scored), 1)))
        result.hits = self._hits(conn, merged[offset : offset + limit])
        if not merged:
            result.notes.append(_nothing_found_hint(parsed))

    def _plan(self, conn: Connection, parsed: ParsedQuery, filters: Filters) -> MatchPlan:
        # a word said twice in a quote is one clause: ranking looks for each clause once
        parsed.must = list(dict.fromkeys(parsed.must))
        return MatchPlan(
            must=tuple(self._analyse(conn, c) for c in parsed.must),
            must_not=tuple(self._analyse(conn, c) for c in parsed.must_not),
            filters=filters,
        )

    def _analyse(self, conn: Connection, clause: Clause) -> Match:
        if isinstance(clause, Word):
            if clause.prefix:
                expanded = vocabulary.expand_prefix(conn, clause.text)
                stems = dict.fromkeys(stem(w) for w in expanded) or {stem(clause.text): None}
                return Terms(tuple(stems))
            return Terms((stem(clause.text),))
        if isinstance(clause, QPhrase):
            return Phrase(tuple(Terms((stem(w),)) for w in clause.words))
        assert isinstance(clause, AnyOf)
        return Either(tuple(self._analyse(conn, o) for o in clause.options))  # type: ignore[misc]

    def _gather(
        self, conn: Connection, plan: MatchPlan, want: int, needed: int
    ) -> tuple[list[PassageScore], bool]:
        """Candidates for the plan (by BM25, and for several plain words also by nearness and
        as a phrase), ranked in Python. Also says whether every match was fetched."""
        found = self.engine.search(conn, plan, want)
        complete = len(found) < want
        pool = dict(found)
        scored = self._score(conn, pool, plan.must)
        words_only = len(plan.must) > 1 and all(isinstance(m, Terms) for m in plan.must)
        if words_only and not complete and _exact_moments(scored) < needed:
            # BM25 kept only the top `want` of many matches, and too few of them read as the
            # query word for word: also fetch the passages where the words stand as a phrase,
            # or failing that close together. (Skipped when the page is already full of exact
            # readings: a phrase of common words is the engines' slowest query.)
            as_phrase = replace(plan, must=(_as_phrases(plan.must),))  # type: ignore[arg-type]
            extra = self.engine.search(conn, as_phrase, want)
            if not extra:
                extra = self.engine.search(conn, replace(plan, near=len(plan.must) + 4), want)
            new = {pid: bm25 for pid, bm25 in extra if pid not in pool}
            if new:
                scored = self._score(conn, {**pool, **new}, plan.must, scored)
        return scored, complete

    def _score(
        self,
        conn: Connection,
        pool: dict[int, float],
        must: tuple[Match, ...],
        known: list[PassageScore] | None = None,
    ) -> list[PassageScore]:
        """Scores the pool's passages; those already `known` are only renormalised."""
        if not pool:
            return []
        lo, hi = min(pool.values()), max(pool.values())

        def norm(bm25: float) -> float:
            return (bm25 - lo) / (hi - lo) if hi > lo else 1.0

        known = known or []
        for s in known:
            s.renormalise(norm(s.bm25))
        done = {s.passage_id for s in known}
        todo = [pid for pid in pool if pid not in done]
        passages = _passages(conn, todo)
        wanted = wanted_terms(must)
        scored = list(known)
        for pid in todo:
            if pid not in passages:
                continue  # defensive: the search reads one snapshot, so this should not happen
            talk_id, word_start, terms = passages[pid]
            bm25 = pool[pid]
            s = score_passage(pid, terms, must, norm(bm25), wanted)
            if s is not None:
                s.talk_id, s.word_start, s.bm25 = talk_id, word_start, bm25
                scored.append(s)
        scored.sort(key=lambda s: (-s.score, s.passage_id))  # ties: earlier passage first
        return scored

    def _correct(
        self, conn: Connection, parsed: ParsedQuery, plan: MatchPlan
    ) -> tuple[MatchPlan | None, str | None]:
        """Words the archive has never seen, or has seen only once or twice beside a far more
        common close word (a misheard caption), get their closest vocabulary words as
        alternatives. Returns the new plan and the query as corrected."""
        changed = False
        must: list[Match] = []
        label_words: list[str] = []
        for clause, match in zip(parsed.must, plan.must, strict=True):
            if isinstance(clause, Word) and not clause.prefix:
                count = vocabulary.word_count(conn, clause.text)
                if count <= RARE_WORD_COUNT:
                    suggestions = [
                        w
                        for w in self.speller.suggest(conn, clause.text)
                        if count == 0 or self.speller.count_of(w) >= COMMON_RATIO * count
                    ]
                    if suggestions:
                        changed = True
                        alts = dict.fromkeys([stem(clause.text)] + [stem(w) for w in suggestions])
                        must.append(Terms(tuple(alts)))
                        label_words.append(suggestions[0])
                        continue
                label_words.append(clause.text)
            else:
                label_words.append(_clause_text(clause))
            must.append(match)
        if not changed:
            return None, None
        return replace(plan, must=tuple(must)), " ".join(label_words)

    def _partial(self, conn: Connection, plan: MatchPlan, total: int) -> list[PassageScore]:
        """Passages holding most of the words, ranked by coverage of all of them. Candidates:
        all but one of the informative words (words most passages hold, such as "the", say
        nothing about where a quote is), and any of the rarer half of the words."""
        frequency = self._frequencies(conn, plan.must)
        informative = tuple(m for m in plan.must if frequency[m] <= RARE_SHARE * total)
        pool: dict[int, float] = {}
        if 2 <= len(informative) <= MAX_DROP_ONE_WORDS:
            n = len(informative)
            all_but_one = Either(
                tuple(AllOf(informative[:i] + informative[i + 1 :]) for i in range(n))  # type: ignore[arg-type]
            )
            sub = replace(plan, must=(all_but_one,))
            pool.update(self.engine.search(conn, sub, PARTIAL_CANDIDATES))
        if len(plan.must) >= RARE_HALF_MIN_WORDS and informative:
            k = max(2, (len(plan.must) + 1) // 2)
            rare = tuple(sorted(informative, key=lambda m: frequency[m])[:k])
            any_rare = replace(plan, must=(Either(rare),))  # type: ignore[arg-type]
            for pid, bm25 in self.engine.search(conn, any_rare, PARTIAL_CANDIDATES):
                pool.setdefault(pid, bm25)
        return self._score(conn, pool, plan.must)

    def _estimate_matches(self, conn: Connection, must: tuple[Match, ...], total: int) -> int:
        """Passages matching every clause, estimated from term document counts as if words
        occurred independently (exact for one word): counting them with the engine would cost
        another pass over every match."""

        def share(match: Match) -> float:
            if isinstance(match, Terms):
                found = sum(self.engine.term_passages(conn, alt) for alt in match.alternatives)
                return min(found / total, 1.0)
            if isinstance(match, Phrase | AllOf):
                parts = match.parts if isinstance(match, Phrase) else match.items
                return math.prod([share(p) for p in parts])  # type: ignore[arg-type]
            return min(sum(share(option) for option in match.options), 1.0)

        return round(total * math.prod([share(m) for m in must]))

    def _frequencies(self, conn: Connection, must: tuple[Match, ...]) -> dict[Match, int]:
        """How many passages hold each clause's rarest word."""
        return {
            m: min(
                self.engine.term_passages(conn, alt)
                for t in flat_terms(m)
                for alt in t.alternatives
            )
            for m in must
        }

    def _hits(self, conn: Connection, scored: list[PassageScore]) -> list[Hit]:
        if not scored:
            return []
        rows = _passage_rows(conn, [s.passage_id for s in scored])
        segments = _segments(conn, [rows[s.passage_id] for s in scored])
        hits = []
        for k, s in enumerate(scored):
            row = rows[s.passage_id]
            (
                _,
                talk_id,
                word_start,
                first_seg,
                last_seg,
                slug,
                title,
                date,
                speakers,
                youtube_id,
                video_url,
                media_url,
            ) = row
            segs = segments[k]
            next_start = segs[-1].start if len(segs) > last_seg - first_seg + 1 else None
            segs = segs[: last_seg - first_seg + 1]
            moment: Moment = build_moment(segs, next_start, word_start, s.matched)
            talk = TalkRef(
                slug=slug,
                title=title,
                date=str(date) if date else None,
                speakers=_json_list(speakers),
                youtube_id=youtube_id,
                video_url=video_url,
                media_url=media_url,
            )
            hits.append(
                Hit(
                    talk=talk,
                    start=moment.start,
                    end=moment.end,
                    speaker=moment.speaker,
                    text=moment.text,
                    snippet=moment.snippet,
                    url=moment_url(slug, moment.start),
                    video_url=source_video_url(talk, moment.start),
                    score=round(s.score, 3),
                    partial=s.coverage < 1.0,
                )
            )
        return hits


def _as_phrases(words: tuple[Terms, ...]) -> Match:
    """The words as a phrase. A word with alternatives (a corrected typo, a prefix) makes one
    phrase per reading, as engines' phrases cannot hold alternatives; past PHRASE_READINGS
    readings, the words anywhere in the passage (ranking then looks for them in order)."""
    readings = math.prod(len(w.alternatives) for w in words)
    if readings == 1 or readings > PHRASE_READINGS:
        return Phrase(words)
    combos = itertools.product(*(w.alternatives for w in words))
    return Either(tuple(Phrase(tuple(Terms((t,)) for t in combo)) for combo in combos))


def _exact_moments(scored: list[PassageScore]) -> int:
    """How many distinct moments read as the query word for word."""
    return len(_merge_moments([s for s in scored if s.is_exact]))


def _passages(conn: Connection, ids: list[int]) -> dict[int, tuple[int, int, list[str]]]:
    """Each passage's talk, first word and index terms (one per word, in order; kept in SQLite
    for every engine)."""
    out: dict[int, tuple[int, int, list[str]]] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        sql = TERMS_SQL.format(marks=",".join("?" * len(chunk)))
        for pid, talk_id, word_start, terms in driver_rows(conn, sql, chunk):
            out[pid] = (talk_id, word_start, terms.split(" "))
    return out


def _segments(conn: Connection, passages: list[tuple]) -> list[list[SegmentRow]]:
    """Each passage's segments and the one after it (for the time its last line ends), read
    in one statement for all hits."""
    sql = " UNION ALL ".join([SEGMENTS_SQL] * len(passages)) + " ORDER BY hit, ord"
    params: list[object] = []
    for k, row in enumerate(passages):
        params += [k, row[1], row[3], row[4] + 1]  # talk, first and last segment
    out: list[list[SegmentRow]] = [[] for _ in passages]
    for hit, *fields in driver_rows(conn, sql, params):
        out[hit].append(SegmentRow(*fields))
    return out


def _passage_rows(conn: Connection, ids: list[int]) -> dict[int, tuple]:
    sql = PASSAGE_SQL.format(marks=",".join("?" * len(ids)))
    return {row[0]: row for row in driver_rows(conn, sql, ids)}


def _merge_moments(scored: list[PassageScore]) -> list[PassageScore]:
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


def _json_list(value: object) -> list[str]:
    if isinstance(value, str):
        try:
            data = json.loads(value)
        except ValueError:
            return []
        return [str(x) for x in data] if isinstance(data, list) else []
    return list(value) if isinstance(value, list) else []


def _phrases_as_words(parsed: ParsedQuery) -> ParsedQuery:
    words: list[Clause] = []
    for clause in parsed.must:
        words.extend(Word(w) for w in clause.words) if isinstance(
            clause, QPhrase
        ) else words.append(clause)
    return replace(parsed, must=list(dict.fromkeys(words)))


def _clause_text(clause: Clause) -> str:
    if isinstance(clause, Word):
        return clause.text + ("*" if clause.prefix else "")
    if isinstance(clause, QPhrase):
        return '"' + " ".join(clause.words) + '"'
    return " OR ".join(_clause_text(o) for o in clause.options)


def _nothing_found_hint(parsed: ParsedQuery) -> str:
    if any(isinstance(c, QPhrase) for c in parsed.must):
        return "Nothing found. Try fewer words, or drop the quotes to match the words anywhere."
    if parsed.must_not:
        return "Nothing found. Try removing the excluded words (those starting with -)."
    return "Nothing found. Try fewer or different words, or a prefix such as transit*."
