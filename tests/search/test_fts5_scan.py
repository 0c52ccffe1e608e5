"""FTS5 ranks every match before sorting, so a query that may match very many passages is ranked
over the newest ones (app/search/engines/fts5.py, SCAN_LIMIT); the window widens when it holds
too few matches (falling back to every passage), and is not used when a talk is chosen. Few
matches, or words whose posting lists are too long to weigh, are scored in Python (PROBED)."""

from pathlib import Path

import pytest

from app.search.engines import fts5, fts5_pairs
from app.search.language.plan import AnyOf, Filters, MatchPlan, Phrase, Terms
from app.store import Store
from tests.conftest import ingest, recorded_statements, search_engine_of


@pytest.fixture
def archive() -> tuple[str, str]:
    return ("sqlite", "fts5")


@pytest.fixture
def forty_talks(db: Store, tmp_path: Path) -> Store:
    for n in range(40):
        said = "the rare phrase here" if n in (3, 36) else "common words only"
        (tmp_path / f"talk-{n:02d}.txt").write_text(f"0:01 the {said} and the rest\n")
    ingest(db, tmp_path)
    return db


def _slugs(db: Store, plan: MatchPlan, limit: int) -> list[int]:
    with db.snapshot() as snapshot:
        return [pid for pid, _ in search_engine_of(db).search(snapshot, plan, limit)]


def test_a_very_common_word_is_ranked_over_the_newest_passages(
    forty_talks: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = _slugs(forty_talks, MatchPlan(must=(Terms(("the",)),)), 100)
    assert len(everything) == 40
    monkeypatch.setattr(fts5, "SCAN_LIMIT", 8)
    newest = _slugs(forty_talks, MatchPlan(must=(Terms(("the",)),)), 5)
    assert len(newest) == 5 and min(newest) > sorted(everything)[-12]  # from the newest ~8


def test_the_window_widens_when_it_holds_too_few_matches(
    forty_talks: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fts5, "SCAN_LIMIT", 4)
    # the phrase's words are everywhere, the phrase in two talks: one in the oldest passages
    phrase = MatchPlan(must=(Phrase((Terms(("the",)), Terms(("rare",)))),))
    assert len(_slugs(forty_talks, phrase, 2)) == 2
    one_talk = MatchPlan(must=(Terms(("the",)),), filters=Filters(talk="talk-00"))
    assert len(_slugs(forty_talks, one_talk, 5)) == 1


def test_few_matches_are_scored_in_python_in_fts5s_order(
    db: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When scoring in Python is the cheaper, a query matching at most PROBED passages skips
    FTS5's bm25(): every match is scored in Python, in the order bm25() gives them."""
    for n in range(12):
        said = " ".join(["drift"] * (n % 4 + 1) + ["model"] * (n % 3 + 1))
        (tmp_path / f"talk-{n:02d}.txt").write_text(f"0:01 the {said} and the rest\n")
    ingest(db, tmp_path)
    plan = MatchPlan(must=(Terms(("drift",)), Terms(("model",))))
    monkeypatch.setattr(fts5, "POSTINGS_PER_SCORE", 1)  # scoring here is the cheaper
    in_python = _slugs(db, plan, 10)
    monkeypatch.setattr(fts5, "POSTINGS_PER_SCORE", 10**9)  # bm25() is the cheaper
    by_fts5 = _slugs(db, plan, 10)
    assert len(in_python) == 10
    assert in_python == by_fts5


def test_words_with_long_posting_lists_are_ranked_over_their_newest_matches(
    forty_talks: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = _slugs(forty_talks, MatchPlan(must=(Terms(("the",)),)), 100)
    monkeypatch.setattr(fts5, "PROBED", 8)
    monkeypatch.setattr(fts5, "POSTINGS_PER_SCORE", 1)  # 40 postings: bm25() is the dearer
    newest = _slugs(forty_talks, MatchPlan(must=(Terms(("the",)),)), 5)
    assert len(newest) == 5 and set(newest) <= set(sorted(everything)[-8:])


def test_a_caller_that_needs_only_a_block_has_it_chosen_from_fewer_newest_matches(
    forty_talks: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`best_of`: the best `limit` of the newest `best_of` matches instead of PROBED."""
    monkeypatch.setattr(fts5, "PROBED", 30)
    monkeypatch.setattr(fts5, "POSTINGS_PER_SCORE", 1)  # matches are listed, scored in Python
    plan = MatchPlan(must=(Terms(("the",)),))
    everything = sorted(_slugs(forty_talks, plan, 100))
    with forty_talks.snapshot() as snapshot:
        engine = search_engine_of(forty_talks)
        probed = [pid for pid, _ in engine.search(snapshot, plan, 5)]
        block = [pid for pid, _ in engine.search(snapshot, plan, 5, best_of=6)]
    assert len(block) == 5 and set(block) <= set(everything[-6:])
    assert not set(probed) <= set(everything[-6:])  # of 30: older passages saying it more


@pytest.fixture
def rare_words(db: Store, tmp_path: Path) -> Store:
    """Passages holding a quote's three rarest words, only some of them with all its words."""
    for n in range(16):
        common = "and the" if n % 3 else "and"
        (tmp_path / f"talk-{n:02d}.txt").write_text(
            f"0:01 {common} kubernetes drift monitoring story\n"
        )
    ingest(db, tmp_path)
    return db


FIVE_WORDS = MatchPlan(
    must=tuple(Terms((w,)) for w in ("and", "the", "kubernet", "drift", "monitor"))
)


def test_many_words_are_listed_by_their_rarest_then_confirmed(
    rare_words: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fts5, "POSTINGS_PER_SCORE", 1)  # matches are listed, scored in Python
    listed = fts5.Fts5Engine._rare_first
    calls: list[list[int] | None] = []

    def spy(self: fts5.Fts5Engine, *args: object) -> list[int] | None:
        calls.append(listed(self, *args))  # type: ignore[arg-type]
        return calls[-1]

    monkeypatch.setattr(fts5.Fts5Engine, "_rare_first", spy)
    by_rarest = _slugs(rare_words, FIVE_WORDS, 20)
    assert calls and calls[0] is not None  # the rarest words listed them
    monkeypatch.setattr(fts5, "RAREST", 99)  # every word ANDed by FTS5
    by_fts5 = _slugs(rare_words, FIVE_WORDS, 20)
    # 16 passages hold the three rarest words; the 10 with "the" hold all five
    assert len(by_rarest) == 10 and by_rarest == by_fts5


def test_rarest_words_in_too_many_passages_leave_the_and_to_fts5(
    rare_words: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fts5, "POSTINGS_PER_SCORE", 1)
    monkeypatch.setattr(fts5, "RARE_CANDIDATES", 4)
    monkeypatch.setattr(fts5, "RARE_BATCH", 4)
    with rare_words.snapshot() as snapshot:
        assert search_engine_of(rare_words)._rare_first(snapshot, FIVE_WORDS, 20) is None  # type: ignore[attr-defined]
    assert len(_slugs(rare_words, FIVE_WORDS, 20)) == 10


def test_rarest_words_are_listed_in_batches_until_enough_hold_every_word(
    rare_words: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fts5, "POSTINGS_PER_SCORE", 1)
    by_fts5 = _slugs(rare_words, FIVE_WORDS, 20)
    monkeypatch.setattr(fts5, "RARE_BATCH", 3)  # 16 candidates: six batches, the last short
    with rare_words.snapshot() as snapshot:
        listed = search_engine_of(rare_words)._rare_first(snapshot, FIVE_WORDS, 20)  # type: ignore[attr-defined]
        assert listed is not None and len(listed) == 10
        assert listed == sorted(listed, reverse=True)  # newest first, none twice
        # asked for fewer, it stops at the newest that many
        assert search_engine_of(rare_words)._rare_first(snapshot, FIVE_WORDS, 4) == listed[:4]  # type: ignore[attr-defined]
    assert _slugs(rare_words, FIVE_WORDS, 20) == by_fts5


def test_a_small_block_lists_a_few_times_as_many_candidates_then_more_at_a_time(
    rare_words: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asked for 3, at most the newest 12 candidates are read, not RARE_BATCH; a batch that
    grows never passes RARE_BATCH."""
    engine = search_engine_of(rare_words)
    with rare_words.snapshot() as snapshot:
        asked = recorded_statements(snapshot, monkeypatch)

        def limits() -> list[object]:
            """The LIMIT of each listing asked since the last call."""
            found = [params[-1] for sql, params in asked if "passage_fts MATCH" in sql]
            asked.clear()
            return found

        few = engine._rare_first(snapshot, FIVE_WORDS, 3)  # type: ignore[attr-defined]
        assert limits() == [12] and few is not None and len(few) == 3
        monkeypatch.setattr(fts5, "RARE_BATCH", 5)
        every = engine._rare_first(snapshot, FIVE_WORDS, 20)  # type: ignore[attr-defined]
        # the 10 passages holding the three rarest words ("the" among them), 5 at a time
        assert limits() == [5, 5, 5] and every is not None and len(every) == 10
        assert every[:3] == few


def _words(*words: str) -> Phrase:
    return Phrase(tuple(Terms((w,)) for w in words))


# a corrected word (alternatives), a sound-alike written as two words (a phrase in a choice), a
# phrase: each confirmed on the stored terms as FTS5 matches it
FIVE_CLAUSES = MatchPlan(
    must=(
        Terms(("and",)),
        Terms(("the", "thee")),
        AnyOf((Terms(("kubernet",)), _words("cube", "net"))),
        _words("drift", "monitor"),
        Terms(("stori",)),
    )
)


def test_clauses_of_every_kind_are_listed_by_the_rarest_then_confirmed(
    rare_words: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fts5, "POSTINGS_PER_SCORE", 1)
    with rare_words.snapshot() as snapshot:
        listed = search_engine_of(rare_words)._rare_first(snapshot, FIVE_CLAUSES, 20)  # type: ignore[attr-defined]
    by_rarest = _slugs(rare_words, FIVE_CLAUSES, 20)
    monkeypatch.setattr(fts5, "RAREST", 99)  # every clause ANDed by FTS5
    by_fts5 = _slugs(rare_words, FIVE_CLAUSES, 20)
    assert listed is not None and len(listed) == 10
    assert sorted(by_rarest) == sorted(listed) and by_rarest == by_fts5
    unmatched = MatchPlan(must=(*FIVE_CLAUSES.must[:4], _words("monitor", "drift")))
    assert _slugs(rare_words, unmatched, 20) == []


def test_nearness_fts5_cannot_ask_for_is_the_plain_and(
    rare_words: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NEAR takes single terms: with a corrected word the plan is its words anywhere, found as
    the plain AND is (not by FTS5's bm25() over every posting of the common words)."""
    near = MatchPlan(must=FIVE_WORDS.must[:4] + (Terms(("monitor", "monitr")),), near=9)
    plain = MatchPlan(must=near.must)
    assert not fts5.near_renders(near) and fts5.near_renders(
        FIVE_WORDS.__class__(FIVE_WORDS.must, near=9)
    )
    monkeypatch.setattr(fts5, "POSTINGS_PER_SCORE", 1)
    ranked_by_fts5: list[str] = []
    search_sql = fts5.search_sql
    monkeypatch.setattr(
        fts5, "search_sql", lambda *a: ranked_by_fts5.append("bm25") or search_sql(*a)
    )
    assert _slugs(rare_words, near, 20) == _slugs(rare_words, plain, 20)
    assert len(_slugs(rare_words, near, 20)) == 10 and ranked_by_fts5 == []


def test_a_rare_word_is_ranked_by_fts5_without_listing_its_matches_first(
    forty_talks: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Listing a word's matches only pays when there are so many that bm25() costs more than
    scoring the newest of them in Python: a word in 2 passages goes straight to bm25()."""
    listed: list[str] = []
    matches_sql = fts5.matches_sql
    monkeypatch.setattr(fts5, "matches_sql", lambda *a: listed.append("list") or matches_sql(*a))
    monkeypatch.setattr(fts5, "POSTINGS_PER_SCORE", 2)  # a score costs two postings
    monkeypatch.setattr(fts5, "PROBED", 10)  # listed: the newest 10 matches
    assert len(_slugs(forty_talks, MatchPlan(must=(Terms(("rare",)),)), 10)) == 2
    assert listed == []
    assert len(_slugs(forty_talks, MatchPlan(must=(Terms(("the",)),)), 10)) == 10
    assert listed == ["list"]  # the newest matches of a common word are listed and scored here


class _TermsRead:
    """A snapshot's stored terms, recording which passages were read: even ones say "even"."""

    def __init__(self) -> None:
        self.read: list[int] = []

    def stored_terms(self, ids: list[int]) -> dict[int, tuple[int, int, str]]:
        self.read += ids
        return {pid: (1, 0, "even" if pid % 2 == 0 else "odd") for pid in ids}


def test_candidates_are_read_only_as_far_as_the_matches_asked_for() -> None:
    """A listing of candidates is confirmed on their stored terms in their order: the terms of
    as many as are still needed are read first, twice as many each time after, so a listing
    whose first candidates hold is not read to its end."""
    candidates = list(range(100, 0, -1))  # newest first; every other one holds

    def holds(text: str) -> bool:
        return " even " in text

    snapshot = _TermsRead()
    held = fts5_pairs._confirmed(snapshot, candidates, holds, 10)  # type: ignore[arg-type]
    assert held == [pid for pid in candidates if pid % 2 == 0][:10]
    assert snapshot.read == candidates[:30]  # 10 (5 held), then 20 (the last 5 in them)
    snapshot = _TermsRead()
    assert fts5_pairs._confirmed(snapshot, candidates, holds, 80) == held + list(range(80, 0, -2))  # type: ignore[arg-type]
    assert snapshot.read == candidates  # fewer hold than asked for: every one read, once
