#!/usr/bin/env python3
"""Where a search's time goes, per query class: the benchmark's queries asked of the search
service in this process, each stage timed exclusive of the stages it calls (what is left is
"other": planning, merging moments, the service's own work). The stages:

  listing   the engine's queries (FTS5 or another engine: candidates and their BM25)
  placing   the query's words placed in each candidate passage, in Python (ranking)
  facts     who says each ranked moment's first word, and when (one read for all)
  page      the page's hits: their text, snippets, talks and transcripts
  speller   a word the archive never says, corrected
  sounds    caption words sounding like a rare query word, looked up

Each query is asked once to warm up, then --rounds times; a query's time is its fastest round.
The web layer (routing, validation, JSON) is not in these: tests/bench/web_layer.py measures it.

usage: python tests/bench/stages.py DIR/bench.db [--classes rare,quote] [--rounds 3]
"""

import argparse
import functools
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.search import service  # noqa: E402
from app.search.candidates import gather  # noqa: E402
from tests.bench.in_process import WORD_CLASSES, bench_queries, searcher_of  # noqa: E402

STAGES = ["listing", "placing", "facts", "page", "speller", "sounds"]


class StageClock:
    """Adds each wrapped call's time to its stage, less the time of the stages it calls."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)
        self._inner: list[float] = []  # per open call: time its wrapped callees took

    def timed(self, stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self._inner.append(0.0)
            began = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                took = time.perf_counter() - began
                inner = self._inner.pop()
                self.spent[stage] += took - inner
                if self._inner:
                    self._inner[-1] += took

        return wrapper


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("db", help="DIR/bench.db, or a database URL")
    ap.add_argument("--classes", default=WORD_CLASSES)
    ap.add_argument("--per-class", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    store, searcher = searcher_of(args.db)
    clock = StageClock()
    engine = searcher.engine
    engine.search = clock.timed("listing", engine.search)  # type: ignore[method-assign]
    searching = service.SearchService
    candidates = gather.Candidates
    candidates.score = clock.timed("placing", candidates.score)  # type: ignore[method-assign]
    searching._finish = clock.timed("page", searching._finish)  # type: ignore[method-assign]
    service.moment_facts = clock.timed("facts", service.moment_facts)
    service.corrected_plan = clock.timed("speller", service.corrected_plan)
    service.sound_plan = clock.timed("sounds", service.sound_plan)
    queries = bench_queries(args.per_class)
    searcher.search(store, "warm up the vocabulary sevreal")
    print(f"{'class':8} {'p50 ms':>7}  " + "  ".join(f"{s:>8}" for s in [*STAGES, "other"]))
    print(f"{'':8} {'':>7}  (mean ms a query, each stage without the stages it calls)")
    for cls in args.classes.split(","):
        best: dict[str, tuple[float, dict[str, float]]] = {}
        for round_ in range(args.rounds + 1):
            for q in queries[cls]:
                clock.spent.clear()
                began = time.perf_counter()
                searcher.search(store, q, limit=10)
                total = 1000 * (time.perf_counter() - began)
                if round_ and total < best.get(q, (float("inf"), {}))[0]:
                    best[q] = (total, {s: 1000 * t for s, t in clock.spent.items()})
        totals = [t for t, _ in best.values()]
        means = {s: statistics.fmean(p.get(s, 0.0) for _, p in best.values()) for s in STAGES}
        other = statistics.fmean(totals) - sum(means.values())
        row = "  ".join(f"{means[s]:8.2f}" for s in STAGES) + f"  {other:8.2f}"
        print(f"{cls:8} {statistics.median(totals):7.2f}  {row}")


if __name__ == "__main__":
    main()
