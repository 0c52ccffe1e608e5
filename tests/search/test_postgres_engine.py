"""The PostgreSQL engine's literals: analysed terms go in as quoted lexemes with positions, so
PostgreSQL neither re-parses, stems nor drops them, and no user text is read as syntax."""

from pathlib import Path

import pytest

from app.search.engines.postgres_engine import render_plan, search_sql, tsvector_literal
from app.search.language.plan import AllOf, AnyOf, Filters, MatchPlan, Phrase, Terms
from app.search.service import SearchService
from app.store import Store
from tests.conftest import ingest, search_engine_of, table_rows


@pytest.mark.parametrize(
    ("terms", "literal"),
    [
        ("go far go togeth", "'go':1,3 'far':2 'togeth':4"),
        ("to be or not to be", "'to':1,5 'be':2,6 'or':3 'not':4"),
        ("it's", "'it''s':1"),
        ("back\\slash", "'back\\\\slash':1"),
    ],
)
def test_tsvector_literal(terms: str, literal: str) -> None:
    assert tsvector_literal(terms) == literal


def test_plans_render_to_tsquery() -> None:
    go, far, fast = Terms(("go",)), Terms(("far", "farther")), Terms(("fast",))
    plan = MatchPlan(
        must=(Phrase((go, far)), AnyOf((fast, AllOf((go, fast))))),
        must_not=(Terms(("&!:*'",)),),
    )
    assert render_plan(plan) == (
        "(('go' <-> ('far' | 'farther')) & ('fast' | ('go' & 'fast'))) & !('&!:*''')"
    )


def test_filters_are_bound_parameters() -> None:
    plan = MatchPlan(must=(Terms(("go",)),), filters=Filters(talk="x'; DROP", speakers=("a%",)))
    sql, params = search_sql(plan, capped=True)
    assert "DROP" not in sql and "x'; DROP" in params and "%a\\%%" in params


@pytest.fixture
def archive() -> tuple[str, str]:
    return ("postgresql", "postgres")


def test_an_ingest_leaves_the_planner_statistics_of_what_it_wrote(
    db: Store, tmp_path: Path
) -> None:
    """Until autovacuum analysed the new rows, a common word was ranked over every match
    through the GIN index rather than over the newest (65.6 ms against 2.6 at 1,000 hours)."""
    (tmp_path / "talk.txt").write_text("0:01 the words of a talk\n")
    ingest(db, tmp_path)
    analysed = table_rows(
        db,
        "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL "
        "AND relname IN ('passage_index', 'passages') ORDER BY relname",
    )
    assert analysed == [("passage_index",), ("passages",)]


def test_a_full_text_query_is_planned_for_its_words_each_time(db: Store, tmp_path: Path) -> None:
    """A prepared statement is planned for any parameters after five runs, and a full-text
    query planned without its words walked the whole index for a rare phrase (631 ms at
    10,000 hours): the engine's statements are never prepared; the others are."""
    (tmp_path / "talk.txt").write_text("0:01 the words of a talk\n")
    ingest(db, tmp_path)
    service = SearchService(search_engine_of(db))
    for _ in range(8):
        assert service.search(db, "words talk").hits
    with db.snapshot() as snapshot:
        prepared = [sql for (sql,) in snapshot.rows("SELECT statement FROM pg_prepared_statements")]
    assert prepared and not any("tsquery" in sql for sql in prepared), prepared
