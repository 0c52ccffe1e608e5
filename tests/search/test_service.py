"""The search service on real SQLite: the bundled sample plus small talks written here."""

from pathlib import Path

import pytest

from app.search.engines.engine import SearchEngine
from app.search.language.plan import AnyOf, Filters, MatchPlan, Phrase
from app.search.present.results import SearchResult
from app.search.service import SearchService
from app.store import Snapshot, Store
from tests.conftest import SAMPLE_SLUG, ingest, search_engine_of

SLUG = SAMPLE_SLUG


def search(store: Store, q: str, **kw: object) -> SearchResult:
    return SearchService(search_engine_of(store)).search(store, q, **kw)  # type: ignore[arg-type]


def test_phrase_across_three_caption_lines_starts_at_its_first_line(sample_db: Store) -> None:
    result = search(
        sample_db, '"conference but not really a conference it\'s more like a bunch of meetups"'
    )
    top = result.hits[0]
    assert top.talk.slug == SLUG
    assert top.start == 11.0  # "0:11 so which is a conference but not really"
    assert top.url == f"/talks/{SLUG}?t=11"
    assert top.video_url == "https://www.youtube.com/watch?v=xVYOdRrN7hw&t=11s"
    assert "<mark>conference</mark>" in top.snippet and "<mark>meetups</mark>" in top.snippet


def test_unquoted_quote_lands_on_its_line(sample_db: Store) -> None:
    top = search(sample_db, "if you want to go far go together").hits[0]
    assert top.start == pytest.approx(20 * 60 + 44)


def test_overlapping_passages_give_one_hit_per_moment(sample_db: Store) -> None:
    result = search(sample_db, '"go far go together"')
    assert result.total == 1 and len(result.hits) == 1


def test_typo_is_corrected_and_labelled(sample_db: Store) -> None:
    result = search(sample_db, "conferecne bunch of meetups")
    assert result.corrected_query == "conference bunch of meetups"
    assert result.hits and result.hits[0].start == 13.0  # "a conference it's more like a bunch of"


def test_two_words_run_together_are_searched_as_the_two_words_said(sample_db: Store) -> None:
    # "conferencebut" is no word of the archive and no word is a few edits from it
    result = search(sample_db, "which is a conferencebut not really")
    assert result.corrected_query == "which is a conference but not really"
    assert result.hits and result.hits[0].start == 11.0  # "0:11 so which is a conference but"
    top = result.hits[0]
    assert not top.partial and top.match == "words" and "<mark>but</mark>" in top.snippet


def test_two_common_words_run_together_win_over_a_close_rare_word(
    db: Store, tmp_path: Path
) -> None:
    """ "asis" is one letter from "asia" (said once) and one space from "as is" (said often)."""
    lines = [f"0:{n:02d} we ship the model as is and move on" for n in range(10, 40)]
    (tmp_path / "as-is.txt").write_text("\n".join(lines) + "\n")
    (tmp_path / "asia.txt").write_text("0:01 our team in asia ships models\n")
    ingest(db, tmp_path)
    result = search(db, "the model asis")
    assert result.corrected_query == "the model as is"
    assert result.hits and all(h.talk.slug == "as-is" and not h.partial for h in result.hits)


def test_a_phrase_relaxed_to_its_words_then_corrected_is_labelled_as_typed(
    sample_db: Store,
) -> None:
    # the phrase and the misspelled word are in no passage together: the phrase becomes its
    # words, the typo is corrected, and the label holds every word in the order typed
    result = search(sample_db, '"bunch of meetups" conferecne')
    assert result.corrected_query == "bunch of meetups conference" and result.hits
    # two phrases of the same words (fewer words than phrases and words): no error
    result = search(sample_db, '"bunch meetups" "meetups bunch" bunch conferecne')
    assert result.corrected_query == "bunch meetups meetups bunch bunch conference"


def test_missing_word_relaxes_and_says_so(sample_db: Store) -> None:
    result = search(sample_db, "bunch of meetups xylophone")
    assert result.relaxed and result.hits
    assert result.hits[0].start == 13.0
    assert any("closest" in n for n in result.notes)


def test_exclusion_and_or(sample_db: Store) -> None:
    plain = search(sample_db, "learning", limit=100)
    excluded = search(sample_db, "learning -machine", limit=100)
    assert 0 < excluded.total < plain.total
    assert all("<mark>machine" not in h.snippet for h in excluded.hits)
    either = search(sample_db, "learning OR xylophone", limit=100)
    assert either.total == plain.total
    both = search(sample_db, "meetups OR kaggle", limit=100)

    def said(text: str) -> int:  # moments holding the words (not caption words sounding alike)
        return sum(h.match == "words" for h in search(sample_db, text, limit=100).hits)

    assert both.total == said("meetups") + said("kaggle")


def test_prefix_expands_from_the_vocabulary(sample_db: Store) -> None:
    result = search(sample_db, "transitio*")
    assert result.hits and all("<mark>transition" in h.snippet for h in result.hits)


def test_pagination_and_total(sample_db: Store) -> None:
    first = search(sample_db, "machine learning", limit=5)
    second = search(sample_db, "machine learning", limit=5, offset=5)
    assert first.total > 10
    assert {h.start for h in first.hits}.isdisjoint({h.start for h in second.hits})


@pytest.mark.parametrize(
    "q",
    [
        '"',
        "-",
        "OR",
        "NEAR(",
        "a* * *",
        "'; DROP TABLE talks; --",
        "🙂",
        "x" * 5000,
        "\x00",
        '"unbalanced phrase',
        "speaker:",
        "-only -exclusions",
    ],
)
def test_strange_queries_never_raise(sample_db: Store, q: str) -> None:
    result = search(sample_db, q)
    assert isinstance(result.total, int)
    assert result.hits or result.notes


def test_filters_by_talk_speaker_and_date(db: Store, tmp_path: Path) -> None:
    (tmp_path / "one.json").write_text(
        '[{"start": 1, "speaker": "Ada", "text": "engines weave patterns"},'
        ' {"start": 5, "speaker": "Charles", "text": "engines compute tables"}]'
    )
    (tmp_path / "two.txt").write_text("0:01 engines everywhere\n")
    (tmp_path / "two.yaml").write_text("date: 2020-01-01\nspeakers: [Grace]\n")
    ingest(db, tmp_path)
    assert search(db, "engines").total == 2  # one talk's lines share a passage, other talk
    assert {h.talk.slug for h in search(db, "engines", filters=Filters(talk="two")).hits} == {"two"}
    by_grace = search(db, "engines speaker:grace")
    assert [h.talk.slug for h in by_grace.hits] == ["two"]
    dated = search(db, "engines", filters=Filters(date_from="2019-06-01", date_to="2020-06-01"))
    assert [h.talk.slug for h in dated.hits] == ["two"]
    assert search(db, "engines", filters=Filters(speakers=("nobody",))).total == 0


def test_quoted_phrase_not_found_falls_back_to_its_words_close_together(sample_db: Store) -> None:
    result = search(sample_db, '"if you want to go far you go together"')
    assert result.relaxed and result.hits
    assert result.hits[0].start == pytest.approx(20 * 60 + 44)
    assert any("exact phrase" in n for n in result.notes)


def test_misheard_word_in_a_long_quote_still_finds_the_moment(sample_db: Store) -> None:
    # the captions say "a bunch of meetups"; the quote remembers "a couple of meetups"
    result = search(sample_db, "more like a couple of meetups so for two weeks")
    assert result.hits[0].start == 13.0
    assert result.relaxed and result.hits[0].partial


def test_keyboard_slips_are_preferred_among_equal_corrections() -> None:
    from app.search.relax.vocabulary import _keyboard_slip

    assert _keyboard_slip("teh", "the") and _keyboard_slip("thr", "the")
    assert not _keyboard_slip("tze", "the") and not _keyboard_slip("th", "the")


def test_a_search_past_its_time_limit_answers_with_a_hint(sample_db: Store) -> None:
    service = SearchService(search_engine_of(sample_db), time_limit_ms=0)
    result = service.search(sample_db, "machine learning")
    assert result.hits == [] and "took too long" in result.notes[-1]


def test_a_typo_in_a_quote_of_common_words_still_finds_the_quote(
    db: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _scattered_and_said(
        db,
        tmp_path,
        monkeypatch,
        "and I think and you think I kind and you kind I think you and kind of",
        "and I think you kind of gave the answer",
    )
    result = search(db, "I thnik you kind", limit=1)  # 4 candidates fetched, of 14
    assert result.corrected_query == "i think you kind"
    assert result.hits[0].talk.slug == "quote" and result.hits[0].start == 5.0


def _scattered_and_said(
    db: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scattered: str, said: str
) -> None:
    """Twelve talks hold the words scattered (and rank higher by BM25); one, "quote", says
    `said` at 0:05; the search fetches 4 candidates of the 13."""
    import app.search.tuning as tuning

    monkeypatch.setattr(tuning, "CANDIDATES", 4)
    for n in range(12):
        (tmp_path / f"scattered-{n}.txt").write_text(f"0:01 {scattered}\n0:09 {scattered}\n")
    filler = "so that was the first question about freelance jobs on the market these days " * 3
    (tmp_path / "quote.txt").write_text(f"0:01 {filler}\n0:05 {said}\n0:09 {filler}\n")
    ingest(db, tmp_path)


def test_a_phrase_of_stop_words_is_found_at_its_line(db: Store, tmp_path: Path) -> None:
    (tmp_path / "hamlet.txt").write_text(
        "0:01 a play about a prince\n0:07 to be or not to be\n0:09 that is the question\n"
    )
    ingest(db, tmp_path)
    result = search(db, '"to be or not to be that is the question"')
    assert result.hits and not result.relaxed
    assert (result.hits[0].talk.slug, result.hits[0].start) == ("hamlet", 7.0)


def test_a_quote_saying_a_word_twice_is_found_as_said_and_labelled_so(
    db: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A word said twice is one clause for ranking, but the phrase pass looks for the words as
    said ("to go to your", not "to go your"), and the corrected query repeats it too."""
    _scattered_and_said(
        db,
        tmp_path,
        monkeypatch,
        "favorite things in your life are to be found where you go " * 2,
        "where do you want to go to your favorite place",
    )
    result = search(db, "to go to your favorte", limit=1)  # 4 candidates fetched, of 13
    assert result.corrected_query == "to go to your favorite"
    assert result.hits[0].talk.slug == "quote" and result.hits[0].start == 5.0
    found = search(db, "want to go to your favorite", limit=1)
    assert found.hits[0].talk.slug == "quote" and found.hits[0].start == 5.0


class _Asked:
    """The archive's engine, recording the plans it is asked; `cheap_phrases` as given."""

    def __init__(self, engine: SearchEngine, cheap_phrases: bool) -> None:
        self._engine, self.cheap_phrases = engine, cheap_phrases
        self.plans: list[MatchPlan] = []
        self.best_of: list[int | None] = []  # what each plan was asked with

    def search(
        self, snapshot: Snapshot, plan: MatchPlan, limit: int, best_of: int | None = None
    ) -> list[tuple[int, float]]:
        self.plans.append(plan)
        self.best_of.append(best_of)
        return self._engine.search(snapshot, plan, limit, best_of)

    def __getattr__(self, name: str) -> object:
        return getattr(self._engine, name)


@pytest.mark.parametrize("cheap_phrases", [True, False], ids=["phrase-first", "words-first"])
def test_a_quote_said_often_is_found_as_said_whichever_the_engine_asks_first(
    db: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cheap_phrases: bool
) -> None:
    """Twenty talks hold three words scattered, three say them: where phrases are cheap, the
    phrase alone fills the block of candidates (the AND of the words is never asked); else
    the words are asked first. Either way the first hit is a moment said; phrase first, the
    whole page is (a block of 4 passages holds at least 2 moments said)."""
    import app.search.tuning as tuning

    monkeypatch.setattr(tuning, "CANDIDATES", 4)  # a block of exact readings: 1 moment
    scattered = "the answer was kind of what you think and I know I kind of think you"
    for n in range(20):
        (tmp_path / f"scattered-{n}.txt").write_text(f"0:01 {scattered}\n0:09 {scattered}\n")
    filler = "so that was the first question about freelance jobs on the market these days " * 3
    for n in range(3):
        said = "and I think you kind of gave the answer"
        (tmp_path / f"quote-{n}.txt").write_text(f"0:01 {filler}\n0:05 {said}\n0:09 {filler}\n")
    ingest(db, tmp_path)
    engine = _Asked(search_engine_of(db), cheap_phrases)
    result = SearchService(engine).search(db, "think you kind", limit=2)  # type: ignore[arg-type]
    said = {(f"quote-{n}", 5.0) for n in range(3)}
    assert (result.hits[0].talk.slug, result.hits[0].start) in said
    if cheap_phrases:
        assert len(result.hits) == 2 and {(h.talk.slug, h.start) for h in result.hits} <= said
    asked_words = [p for p in engine.plans if len(p.must) > 1]
    assert (asked_words == []) is cheap_phrases
    # four words, the rarest in a few passages (PHRASE_FIRST_BOUND): their AND is cheap and
    # asked first by every engine, and the phrase after it
    engine = _Asked(search_engine_of(db), cheap_phrases)
    result = SearchService(engine).search(db, "I think you kind", limit=1)  # type: ignore[arg-type]
    assert (result.hits[0].talk.slug, result.hits[0].start) in said
    assert len(engine.plans[0].must) == 4


def _scattered_thirty_times_said_once(db: Store, tmp_path: Path, scattered: str, slug: str) -> None:
    """Thirty talks scatter "think", "you" and "kind"; the talk `slug` says them as said."""
    for n in range(30):
        (tmp_path / f"scattered-{n:02d}.txt").write_text(f"0:01 {scattered}\n")
    (tmp_path / f"{slug}.txt").write_text("0:01 and I think you kind of gave the answer\n")
    ingest(db, tmp_path)


def _placed_passages(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The passages the service places its words in (ranking.score_passage), as it does."""
    import app.search.candidates.gather as gather

    placed: list[int] = []
    score_passage = gather.score_passage

    def placing(passage_id: int, *args: object, **kwargs: object) -> object:
        placed.append(passage_id)
        return score_passage(passage_id, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(gather, "score_passage", placing)
    return placed


def test_words_found_as_said_have_their_and_fill_the_block_from_its_newest_matches(
    db: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One talk says three words as said, thirty scatter them (more than the block's matches
    ranked all at once): the phrase is asked first, its readings chosen from its newest block
    of matches, and so is the AND filling the block below them, however rare its rarest word;
    and so are the readings of a phrase in quotes."""
    import app.search.tuning as tuning

    monkeypatch.setattr(tuning, "CANDIDATES", 6)  # a block: 2 moments said
    scattered = "the answer was kind of what you think and I know I kind of think you"
    _scattered_thirty_times_said_once(db, tmp_path, scattered, "quote")
    engine = _Asked(search_engine_of(db), True)
    result = SearchService(engine).search(db, "think you kind", limit=2)  # type: ignore[arg-type]
    assert (result.hits[0].talk.slug, result.hits[0].start) == ("quote", 1.0)
    asked = dict(zip([len(p.must) for p in engine.plans], engine.best_of, strict=True))
    assert asked == {1: 6, 3: 6}  # the phrase, then the AND of its three words
    # a phrase in quotes: every match a reading word for word, chosen from its newest block
    engine = _Asked(search_engine_of(db), True)
    result = SearchService(engine).search(db, '"think you kind"', limit=2)  # type: ignore[arg-type]
    assert (result.hits[0].talk.slug, result.hits[0].start) == ("quote", 1.0)
    assert engine.best_of == [tuning.ONE_CLAUSE_CANDIDATES]


def test_a_reading_as_said_among_the_and_of_its_words_is_not_weighed_twice(
    db: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The newest talk says three words as said (the shortest passage: the best BM25),
    thirty older ones scatter them: the phrase, asked first, finds the one reading, and the
    AND filling the block below it lists it again; where its words stand is known, so it is
    only weighed again with the AND's BM25 (every passage's words are read and placed once),
    and it stays the first hit."""
    import app.search.tuning as tuning

    monkeypatch.setattr(tuning, "CANDIDATES", 6)  # a block: 2 moments said
    scattered = "kind of an answer was what you said and I know I did think so"
    _scattered_thirty_times_said_once(db, tmp_path, scattered, "the-newest")
    placed = _placed_passages(monkeypatch)
    engine = _Asked(search_engine_of(db), True)
    result = SearchService(engine).search(db, "think you kind", limit=2)  # type: ignore[arg-type]
    assert (result.hits[0].talk.slug, result.hits[0].start) == ("the-newest", 1.0)
    assert [len(p.must) for p in engine.plans] == [1, 3]  # the phrase, then the AND
    assert len(placed) == len(set(placed)) == 6  # the reading and five scattered, once each


def test_a_quote_saying_a_word_twice_is_found_whole_without_the_partial_stage(
    db: Store, tmp_path: Path
) -> None:
    """A quote is planned with each word once; the passage saying it as said reads as the
    quote word for word, so passages missing a word (the partial stage) are not looked for."""
    filler = "so that was the first question about freelance jobs on the market these days " * 3
    said = "and then you press this button you deploy this change and it is live"
    (tmp_path / "quote.txt").write_text(f"0:01 {filler}\n0:05 {said}\n0:09 {filler}\n")
    (tmp_path / "apart.txt").write_text("0:01 press the button you deploy and change this\n")
    ingest(db, tmp_path)
    engine = _Asked(search_engine_of(db), True)
    result = SearchService(engine).search(  # type: ignore[arg-type]
        db, "this button you deploy this change", limit=3
    )
    assert (result.hits[0].talk.slug, result.hits[0].start) == ("quote", 5.0)
    assert not result.relaxed and not result.notes
    # the partial stage asks for any of the words, or all but one: a choice of words
    partial = [
        p
        for p in engine.plans
        if isinstance(p.must[0], AnyOf)
        and not all(isinstance(o, Phrase) for o in p.must[0].options)
    ]
    assert partial == [], "the partial stage ran for a quote found whole"


def test_a_word_the_archive_never_says_is_not_asked_of_the_engine(
    db: Store, tmp_path: Path
) -> None:
    """A typed word no passage holds ("biger") leaves nothing to find among the query's own
    words: only the corrected plan is asked (in a quote and alone), and it finds the moment."""
    from app.search.language.plan import flat_terms
    from app.text.analysis import stem

    (tmp_path / "plan.txt").write_text("0:01 we had the bigger plan for the data team\n")
    (tmp_path / "other.txt").write_text("0:01 a smaller plan for the data platform\n")
    ingest(db, tmp_path)
    typed = (stem("biger"),)
    for q in ("the biger plan", "biger"):
        engine = _Asked(search_engine_of(db), True)
        result = SearchService(engine).search(db, q, limit=3)  # type: ignore[arg-type]
        assert result.corrected_query and "bigger" in result.corrected_query
        assert result.hits and result.hits[0].talk.slug == "plan"
        asked = [t.alternatives for p in engine.plans for m in p.must for t in flat_terms(m)]
        assert asked and typed not in asked, f"{q!r}: the uncorrected word was asked for"


def test_one_word_in_many_passages_ranks_its_best_by_bm25_and_pages_through_the_rest(
    db: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twelve talks say "kaggle", talk k k times in as many words: BM25 alone orders a word's
    passages, so of the block fetched only the best ONE_WORD_RANKED are ranked (and timed);
    the first page is still the best, and paging lists every talk once."""
    import app.search.tuning as tuning

    monkeypatch.setattr(tuning, "ONE_CLAUSE_CANDIDATES", 8)
    monkeypatch.setattr(tuning, "ONE_WORD_RANKED", 4)
    for k in range(1, 13):
        said = " ".join(["kaggle"] * k + ["notebook"] * (12 - k) + ["zebra" if k <= 6 else "lion"])
        (tmp_path / f"said-{k:02d}.txt").write_text(f"0:01 {said}\n")
    ingest(db, tmp_path)
    placed = _placed_passages(monkeypatch)
    service = SearchService(search_engine_of(db))
    first = service.search(db, "kaggle", limit=3)
    assert [h.talk.slug for h in first.hits] == ["said-12", "said-11", "said-10"]
    assert len(placed) == 4  # of the 8 fetched
    pages = [service.search(db, "kaggle", limit=3, offset=k).hits for k in (0, 3, 6, 9)]
    slugs = [h.talk.slug for page in pages for h in page]
    assert sorted(slugs) == sorted(f"said-{k:02d}" for k in range(1, 13))
    # a word in fewer passages than the block: every one is ranked
    placed.clear()
    assert len(service.search(db, "zebra", limit=3).hits) == 3
    assert len(placed) == 6


def test_readings_word_for_word_are_ranked_best_first_and_all_when_too_few_moments(
    db: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Readings of the words as said differ only in BM25: of the block found, the best
    READINGS_RANKED are ranked first, and when they hold too few moments for a block (a talk
    says it twice where two passages overlap: two readings, one moment), the others too."""
    import app.search.tuning as tuning

    monkeypatch.setattr(tuning, "CANDIDATES", 6)  # a block: 2 moments said
    monkeypatch.setattr(tuning, "READINGS_RANKED", 2)
    for n in range(25):  # more passages hold both words than are ranked all at once
        (tmp_path / f"scattered-{n:02d}.txt").write_text("0:01 the pipeline of our data\n")
    for k in range(1, 5):
        said = " ".join(["data pipeline"] * k + ["notebook"] * (56 - 2 * k))  # one passage
        (tmp_path / f"said-{k}.txt").write_text(f"0:01 {said}\n")
    placed = _placed_passages(monkeypatch)
    ingest(db, tmp_path)
    engine = _Asked(search_engine_of(db), True)
    result = SearchService(engine).search(db, "data pipeline", limit=2)  # type: ignore[arg-type]
    assert [h.talk.slug for h in result.hits] == ["said-4", "said-3"]
    assert len(placed) == 2 and len(engine.plans) == 1  # the phrase's best two, no AND asked
    # the newest talk says it most where its first two passages overlap (words 40-59)
    words = ["notebook"] * 40 + ["data pipeline"] * 10 + ["notebook"] * 40
    (tmp_path / "overlap.txt").write_text("0:01 " + " ".join(words) + "\n")
    ingest(db, tmp_path)
    placed.clear()
    engine = _Asked(search_engine_of(db), True)
    result = SearchService(engine).search(db, "data pipeline", limit=2)  # type: ignore[arg-type]
    assert len(result.hits) == 2
    assert len(engine.plans) == 1  # the readings held a block's moments once all were ranked
    assert len(placed) == len(set(placed)) == 6  # each of the six readings placed once


def test_prefix_expansions_are_bounded_across_the_query(sample_db: Store) -> None:
    """Forty prefixes OR-ed: each stands for its most frequent few words, not 64 each."""
    from app.search import tuning
    from app.search.language.plan import Terms
    from app.search.language.planning import plan_query
    from app.search.language.query import MAX_QUERY_TERMS, parse_query

    prefixes = [f"{a}{b}*" for a in "bcdfmpst" for b in "aeiou"]
    parsed = parse_query(" OR ".join(prefixes))
    with sample_db.snapshot() as snapshot:
        plan = plan_query(snapshot, parsed, Filters())

    def alternatives(match: object) -> int:
        if isinstance(match, Terms):
            return len(match.alternatives)
        if isinstance(match, AnyOf | Phrase):
            parts = match.options if isinstance(match, AnyOf) else match.parts
            return sum(alternatives(p) for p in parts)
        return 0

    asked = sum(alternatives(m) for m in plan.must)
    most = max(tuning.PREFIX_QUERY_WORDS, tuning.PREFIX_MIN_WORDS * MAX_QUERY_TERMS)

    assert 0 < asked <= most
    assert search(sample_db, " OR ".join(prefixes)).total > 0


def test_nothing_found_within_filters_blames_the_filters(sample_db: Store) -> None:
    from app.search.language.plan import Filters as PlanFilters

    within = search(
        sample_db, "kaggle", filters=PlanFilters(date_from="1990-01-01", date_to="1990-12-31")
    )
    assert within.total == 0
    assert any("with these filters" in note for note in within.notes)
    plain = search(sample_db, "xylophonequartz")
    assert not any("filters" in note for note in plain.notes)


def test_a_query_of_stop_words_alone_says_so(sample_db: Store) -> None:
    note = "Only very common words: add a rarer one, or put the phrase in quotes."
    assert note in search(sample_db, "and the to").notes
    assert note not in search(sample_db, "and the kaggle").notes
    assert note not in search(sample_db, '"and the"').notes


def test_a_whole_search_counts_what_its_pages_reach_and_says_more_than_past_its_bound(
    db: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`whole` (the search page) ranks every match up to PAGE_RANKED passages: the total is
    what paging reaches, exact below the bound, "more than" past it, and a speaker filter
    gives the moments the speaker facet counted."""
    import app.search.tuning as tuning

    monkeypatch.setattr(tuning, "ONE_CLAUSE_CANDIDATES", 4)
    filler = " ".join(f"word{i}" for i in range(300))  # the two sayings are two passages
    for k in range(1, 31):
        who = "Ada" if k % 3 else "Grace"
        (tmp_path / f"talk-{k:02d}.vtt").write_text(
            "WEBVTT\n\n00:00:01.000 --> 00:00:05.000\n"
            f"<v {who}>we said kaggle here\n\n00:00:05.000 --> 00:02:00.000\n<v Bob>{filler}\n\n"
            "00:02:00.000 --> 00:02:05.000\n<v Alan>and kaggle again later on\n"
        )
    ingest(db, tmp_path)
    service = SearchService(search_engine_of(db))
    whole = service.search(db, "kaggle", limit=7, facets=True, whole=True)
    assert whole.total_exact and whole.total == 60
    reached = [
        h
        for offset in range(0, 70, 7)
        for h in service.search(db, "kaggle", limit=7, offset=offset, whole=True).hits
    ]
    assert len({(h.talk.slug, h.start) for h in reached}) == 60
    assert whole.speaker_moments == {"Ada": 20, "Grace": 10, "Alan": 30}
    for name, count in whole.speaker_moments.items():
        found = service.search(
            db, "kaggle", filters=Filters(speakers=(name,)), limit=7, facets=True, whole=True
        )
        assert found.total == count and found.total_exact, name
    monkeypatch.setattr(tuning, "PAGE_RANKED", 16)
    bounded = service.search(db, "kaggle", limit=7, facets=True, whole=True)
    assert not bounded.total_exact and 16 <= bounded.total < 60
    last = service.search(db, "kaggle", limit=7, offset=bounded.total - 1, whole=True)
    assert len(last.hits) == 1  # the pages reach the number said, and stop there
