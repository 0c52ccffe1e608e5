"""Tantivy breaks ties of score by where a document sits, which its background merges change:
the engine cuts a tie by passage id, as FTS5 does, so the same query gives the same passages
however the index's segments lie (a flaky total in test_engines_agree came from this)."""

from pathlib import Path

import pytest

from app.search.language.plan import MatchPlan, Terms
from app.store import Store
from tests.conftest import ingest, search_engine_of


@pytest.fixture
def archive() -> tuple[str, str]:
    return ("sqlite", "tantivy")


def test_a_tie_at_the_cut_is_cut_by_passage_id(db: Store, tmp_path: Path) -> None:
    # one talk per ingest: each in its own commit, so its own segment (until merged)
    for n in range(12):
        (tmp_path / f"talk-{n:02d}.txt").write_text("0:01 the same few words said again\n")
        ingest(db, tmp_path / f"talk-{n:02d}.txt")
    engine = search_engine_of(db)
    plan = MatchPlan(must=(Terms(("same",)),))
    with db.snapshot() as snapshot:
        every = engine.search(snapshot, plan, 100)
        first = engine.search(snapshot, plan, 5)
    assert len(every) == 12 and len({score for _, score in every}) == 1  # one tie
    assert [pid for pid, _ in first] == sorted(pid for pid, _ in every)[:5]
