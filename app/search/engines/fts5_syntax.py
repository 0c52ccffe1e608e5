"""FTS5's query syntax and the SQL around it. Terms are rendered as quoted strings (double quotes
doubled), so no user text is ever read as FTS5 syntax; values are bound parameters; filter
columns come from a fixed set."""

from app.search.engines.engine import filter_conditions
from app.search.language.plan import (
    AllOf,
    Filters,
    Match,
    MatchPlan,
    Phrase,
    Terms,
)


def _string(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _terms(terms: Terms) -> str:
    if len(terms.alternatives) == 1:
        return _string(terms.alternatives[0])
    return "(" + " OR ".join(_string(t) for t in terms.alternatives) + ")"


def render_match(match: Match) -> str:
    if isinstance(match, Terms):
        return _terms(match)
    if isinstance(match, Phrase):
        if all(len(p.alternatives) == 1 for p in match.parts):
            return _string(" ".join(p.alternatives[0] for p in match.parts))
        # a phrase holding an expanded word: require its words here, adjacency is checked
        # when ranking (FTS5 phrases cannot hold alternatives)
        return "(" + " AND ".join(_terms(p) for p in match.parts) + ")"
    if isinstance(match, AllOf):
        return "(" + " AND ".join(render_match(i) for i in match.items) + ")"
    return "(" + " OR ".join(render_match(o) for o in match.options) + ")"


def near_renders(plan: MatchPlan) -> bool:
    """Whether FTS5 can ask for the plan's nearness: NEAR takes single terms only (a plan with
    a corrected or expanded word is rendered as its plain AND)."""
    return plan.near is not None and all(
        isinstance(m, Terms) and len(m.alternatives) == 1 for m in plan.must
    )


def render_plan(plan: MatchPlan) -> str:
    if near_renders(plan):
        groups = [_string(m.alternatives[0]) for m in plan.must]  # type: ignore[union-attr]
        expr = f"NEAR({' '.join(groups)}, {plan.near})"
    else:
        expr = " AND ".join(render_match(m) for m in plan.must)
    if plan.must_not:
        expr = f"({expr}) NOT (" + " OR ".join(render_match(m) for m in plan.must_not) + ")"
    return expr


def filter_sql(filters: Filters) -> tuple[str, list[object]]:
    """JOIN + WHERE fragments for the filters, from a fixed set of columns."""
    where, params = filter_conditions(filters)
    if not where:
        return "", []
    join = " JOIN passages p ON p.id = f.rowid JOIN talks t ON t.id = p.talk_id"
    return join + " AND " + " AND ".join(where), params


def matches_sql(plan: MatchPlan, before_id: int | None = None) -> tuple[str, list[object]]:
    """The plan's matches, unscored: `LIMIT ?` of them, newest first (older than `before_id`)."""
    join, params = filter_sql(plan.filters)
    older = "" if before_id is None else f" AND f.rowid < {int(before_id)}"
    sql = (
        f"SELECT f.rowid FROM passage_fts f{join} "
        f"WHERE passage_fts MATCH ?{older} ORDER BY f.rowid DESC LIMIT ?"
    )
    return sql, [*params, render_plan(plan)]


def search_sql(plan: MatchPlan, after_id: int | None = None) -> tuple[str, list[object]]:
    join, params = filter_sql(plan.filters)
    newer = "" if after_id is None else f" AND f.rowid > {int(after_id)}"
    sql = (
        f"SELECT f.rowid, bm25(passage_fts) FROM passage_fts f{join} "
        f"WHERE passage_fts MATCH ?{newer} ORDER BY bm25(passage_fts), f.rowid LIMIT ?"
    )
    return sql, [*params, render_plan(plan)]
