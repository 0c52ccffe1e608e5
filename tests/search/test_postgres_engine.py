"""The PostgreSQL engine's literals: analysed terms go in as quoted lexemes with positions, so
PostgreSQL neither re-parses, stems nor drops them, and no user text is read as syntax."""

import pytest

from app.search.engines.postgres_engine import render_plan, search_sql, tsvector_literal
from app.search.language.plan import AllOf, AnyOf, Filters, MatchPlan, Phrase, Terms


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
