"""The FTS5 engine's pair index (app/search/engines/fts5.py): a phrase's candidates come from its
adjacent term pairs and are confirmed on the passages' terms, so it finds what FTS5's own phrase
query finds; the index follows every talk written, replaced or removed, and an archive without
it gets it at the next sync."""

import re
from pathlib import Path

import pytest

from app.ingest.files import transcript_files
from app.ingest.loader import load_files, prune, vanished_sources
from app.search.engines import fts5, fts5_pairs
from app.search.engines.engine import get_engine
from app.search.language.plan import AnyOf, Filters, MatchPlan, Phrase, Terms
from app.store import Store
from tests.conftest import ingest, recorded_statements, search_engine_of, table_rows


@pytest.fixture
def archive() -> tuple[str, str]:
    return ("sqlite", "fts5")


def _phrase(*words: str) -> Phrase:
    return Phrase(tuple(Terms((w,)) for w in words))


def _found(db: Store, plan: MatchPlan, limit: int = 50) -> list[int]:
    with db.snapshot() as snapshot:
        return sorted(pid for pid, _ in search_engine_of(db).search(snapshot, plan, limit))


def _said(tmp_path: Path, lines: dict[str, str]) -> None:
    for name, text in lines.items():
        (tmp_path / f"{name}.txt").write_text(f"0:01 {text}\n")


@pytest.fixture
def networks(db: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """Talks holding the phrase, and newer talks holding all its pairs but not the phrase."""
    said = {f"talk-{n:02d}": "what kind of network do you run" for n in range(3)}
    said |= {f"talk-{n:02d}": "a kind of magic and of network cables" for n in range(3, 12)}
    _said(tmp_path, said)
    ingest(db, tmp_path)
    # the words' posting lists count as long: matches are listed, then scored in Python
    monkeypatch.setattr(fts5, "POSTINGS_PER_SCORE", 1)
    return db


def test_a_phrase_found_through_its_pairs_is_the_phrase_fts5_finds(
    networks: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = MatchPlan(must=(_phrase("kind", "of", "network"),))
    through_pairs = _found(networks, plan)
    monkeypatch.setattr(fts5, "pair_matches_sql", lambda plan: None)
    by_fts5 = _found(networks, plan)
    assert len(through_pairs) == 3 and through_pairs == by_fts5


def test_candidates_that_are_not_the_phrase_make_it_look_further(
    networks: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the 9 newest candidates are not the phrase: a probe of 2 must look past them
    monkeypatch.setattr(fts5, "PROBED", 2)
    plan = MatchPlan(must=(_phrase("kind", "of", "network"),))
    assert len(_found(networks, plan, limit=2)) == 2


def test_a_choice_of_phrases_is_a_choice_of_their_pairs(networks: Store) -> None:
    either = MatchPlan(must=(AnyOf((_phrase("kind", "of", "network"), _phrase("of", "magic"))),))
    assert len(_found(networks, either)) == 12


def test_a_long_phrase_is_listed_by_its_rarest_pairs_and_confirmed_whole(
    db: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A phrase of more than RARE_PAIRS pairs is asked of the pair index by its rarest pairs
    (a pair is in at most as many passages as its rarer word): "the kind" is left out, and
    the candidates holding the others but not the phrase are dropped on their terms."""
    said = {f"phrase-{n}": "they sell the kind of network card here" for n in range(2)}
    said |= {f"decoy-{n}": "a kind of network card and the rest" for n in range(3)}
    said |= {f"end-{n}": "the end of the day" for n in range(6)}
    said |= {f"cat-{n}": "the cat sat" for n in range(3)}  # "the" is said more than "of"
    _said(tmp_path, said)
    ingest(db, tmp_path)
    monkeypatch.setattr(fts5, "POSTINGS_PER_SCORE", 1)  # matches are listed, not ranked by FTS5
    plan = MatchPlan(must=(_phrase("the", "kind", "of", "network", "card"),))
    engine = search_engine_of(db)
    with db.snapshot() as snapshot:
        asked = recorded_statements(snapshot, monkeypatch)
        through_pairs = sorted(pid for pid, _ in engine.search(snapshot, plan, 50))
    listed = [params for sql, params in asked if "passage_pairs MATCH" in sql]
    assert listed and all(
        set(re.findall(r'"([^"]+)"', str(p[0]))) == {"kind_of", "of_network", "network_card"}
        for p in listed
    )
    monkeypatch.setattr(fts5, "pair_matches_sql", lambda plan: None)
    by_fts5 = _found(db, plan)
    talks = dict(
        table_rows(db, "SELECT p.id, t.slug FROM passages p JOIN talks t ON t.id = p.talk_id")
    )
    assert sorted(talks[pid] for pid in through_pairs) == ["phrase-0", "phrase-1"]
    assert through_pairs == by_fts5


def test_readings_of_one_phrase_are_asked_as_a_choice_of_pairs_at_each_place(
    db: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A corrected word makes a choice of phrases ("the bigger plan", "the bigegr plan"): the
    pair index is asked the pairs each place may hold, the pair they share ("the" before
    either) once; a passage holding one reading's first pair and the other's second holds
    neither phrase, and is dropped on its terms."""
    said = {f"bigger-{n}": "we had the bigger plan" for n in range(2)}
    said |= {
        "bigegr": "we had the bigegr plan",
        "crossed": "we had the bigger one and the bigegr plan",
    }
    _said(tmp_path, said)
    ingest(db, tmp_path)
    monkeypatch.setattr(fts5, "POSTINGS_PER_SCORE", 1)  # matches are listed, not ranked by FTS5
    readings = AnyOf(
        (_phrase("had", "the", "bigger", "plan"), _phrase("had", "the", "bigegr", "plan"))
    )
    plan = MatchPlan(must=(readings,))
    engine = search_engine_of(db)
    with db.snapshot() as snapshot:
        asked = recorded_statements(snapshot, monkeypatch)
        through_pairs = sorted(pid for pid, _ in engine.search(snapshot, plan, 50))
    listed = [str(params[-2]) for sql, params in asked if "passage_pairs MATCH" in sql]
    assert listed == [
        '("had_the" AND ("the_bigegr" OR "the_bigger") AND ("bigegr_plan" OR "bigger_plan"))'
    ]
    monkeypatch.setattr(fts5, "pair_matches_sql", lambda plan: None)
    by_fts5 = _found(db, plan)
    talks = dict(
        table_rows(db, "SELECT p.id, t.slug FROM passages p JOIN talks t ON t.id = p.talk_id")
    )
    assert sorted(talks[pid] for pid in through_pairs) == ["bigegr", "bigger-0", "bigger-1"]
    assert through_pairs == by_fts5


def test_the_pair_index_follows_talks_replaced_and_removed(db: Store, tmp_path: Path) -> None:
    _said(tmp_path, {"a": "the quick brown fox", "b": "lazy dogs sleep all day"})
    ingest(db, tmp_path)
    engine = search_engine_of(db)
    _said(tmp_path, {"a": "the slow red fox"})
    (tmp_path / "b.txt").unlink()
    files, _ = transcript_files([tmp_path])
    load_files(db, engine, files)
    assert prune(db, engine, vanished_sources(db)) == 1
    # written in the talks' own transactions: nothing for a sync to repair
    assert engine.sync(db) == 0
    assert _found(db, MatchPlan(must=(_phrase("quick", "brown"),))) == []
    assert len(_found(db, MatchPlan(must=(_phrase("slow", "red"),)))) == 1
    pairs = table_rows(db, "SELECT count(*) FROM passage_pairs")[0][0]
    assert pairs == table_rows(db, "SELECT count(*) FROM passages")[0][0]


def test_an_archive_without_pairs_gets_them_at_the_next_sync(db: Store, tmp_path: Path) -> None:
    _said(tmp_path, {"a": "the quick brown fox", "b": "lazy dogs sleep all day"})
    ingest(db, tmp_path)
    with db.write() as writer:
        writer.execute("INSERT INTO passage_pairs(passage_pairs) VALUES ('delete-all')")
    engine = search_engine_of(db)
    assert engine.sync(db) == 2
    assert len(_found(db, MatchPlan(must=(_phrase("sleep", "all", "day"),)))) == 1
    assert engine.sync(db) == 0


def test_indexes_holding_as_many_rows_but_other_ones_are_rebuilt_at_the_next_sync(
    db: Store, tmp_path: Path
) -> None:
    """Sync compares what each index holds (read from its docsize table) with the passages by
    count and by the sum of their ids: a passage's row moved to an id no passage has keeps the
    count but not the sum."""
    _said(tmp_path, {"a": "the quick brown fox", "b": "lazy dogs sleep all day"})
    ingest(db, tmp_path)
    engine = search_engine_of(db)
    assert engine.sync(db) == 0
    last = table_rows(db, "SELECT max(id) FROM passages")[0][0]
    gone, stray = last, last + 1000
    with db.write() as writer:
        writer.execute("DELETE FROM passage_fts WHERE rowid = ?", (gone,))
        writer.execute(
            "INSERT INTO passage_fts(rowid, terms) VALUES (?, 'lazy dog sleep all day')", (stray,)
        )
    assert (
        table_rows(db, "SELECT count(*) FROM passage_fts")[0][0]
        == table_rows(db, "SELECT count(*) FROM passages")[0][0]
    )
    assert engine.sync(db) == 2
    indexed = table_rows(db, "SELECT rowid FROM passage_fts ORDER BY rowid")
    assert indexed == table_rows(db, "SELECT id FROM passages ORDER BY id")
    with db.write() as writer:  # the pair index: a contentless table is told what it held
        terms = writer.rows("SELECT terms FROM passages WHERE id = ?", (gone,))[0][0]
        writer.execute(fts5.PAIR_DELETE_SQL, (gone, fts5.pairs_text(terms)))
        writer.execute(fts5.PAIR_INSERT_SQL, (stray, fts5.pairs_text(terms)))
    assert engine.sync(db) == 2
    assert len(_found(db, MatchPlan(must=(_phrase("sleep", "all", "day"),)))) == 1
    assert engine.sync(db) == 0


def test_a_phrase_through_its_pairs_keeps_to_the_filters(networks: Store) -> None:
    plan = MatchPlan(must=(_phrase("kind", "of", "network"),), filters=Filters(talk="talk-01"))
    found = _found(networks, plan)
    talks = table_rows(
        networks, "SELECT p.id, t.slug FROM passages p JOIN talks t ON t.id = p.talk_id"
    )
    assert [slug for pid, slug in talks if pid in found] == ["talk-01"]


def test_a_pair_index_out_of_step_leaves_phrases_to_fts5(
    db: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server whose sync could not rebuild the pairs (another process held the writer)
    still finds every phrase, through FTS5's own phrase query."""
    monkeypatch.setattr(fts5, "POSTINGS_PER_SCORE", 1)  # phrases would go to the pairs
    _said(tmp_path, {"a": "the quick brown fox", "b": "lazy dogs sleep all day"})
    ingest(db, tmp_path)
    with db.write() as writer:
        writer.execute("INSERT INTO passage_pairs(passage_pairs) VALUES ('delete-all')")
    serving = get_engine("fts5", db.url)  # a new process's engine: it has not synced
    plan = MatchPlan(must=(_phrase("sleep", "all", "day"),))
    with db.snapshot() as snapshot:
        assert len(serving.search(snapshot, plan, 10)) == 1


def test_a_process_that_has_not_synced_trusts_pairs_in_step_without_counting_them(
    db: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`talks search` does not sync: it reads the pair index's own row count (counting
    and summing both tables' ids took 0.34-0.41 s at 10,000 hours) and finds the phrase through
    the pairs."""
    monkeypatch.setattr(fts5, "POSTINGS_PER_SCORE", 1)  # phrases would go to the pairs
    _said(tmp_path, {"a": "the quick brown fox", "b": "lazy dogs sleep all day"})
    ingest(db, tmp_path)
    searching = get_engine("fts5", db.url)  # a new process's engine: it has not synced
    plan = MatchPlan(must=(_phrase("sleep", "all", "day"),))
    with db.snapshot() as snapshot:
        asked = recorded_statements(snapshot, monkeypatch)
        assert len(searching.search(snapshot, plan, 10)) == 1
    assert any("passage_pairs MATCH" in sql for sql, _ in asked)
    assert not any("count(*)" in sql for sql, _ in asked)


def test_a_phrase_holding_a_term_the_tokenizer_drops_is_left_to_fts5(
    db: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "・" falls in the CJK range, so it is a word of its own, but FTS5's tokenizer drops it: as
    a pair ("x_・") it would not be the token it stands for, so such a phrase goes to FTS5."""
    monkeypatch.setattr(fts5, "POSTINGS_PER_SCORE", 1)
    _said(tmp_path, {"a": "データ・サイエンス の 話", "b": "x・y and more"})
    ingest(db, tmp_path)
    assert fts5_pairs.render_pairs(_phrase("x", "・", "y")) is None
    assert fts5_pairs.render_pairs(_phrase("x", "y")) == '("x_y")'
    with db.snapshot() as snapshot:
        engine = search_engine_of(db)
        assert len(engine.search(snapshot, MatchPlan(must=(_phrase("x", "・", "y"),)), 10)) == 1
        assert len(engine.search(snapshot, MatchPlan(must=(_phrase("タ", "・", "サ"),)), 10)) == 1
