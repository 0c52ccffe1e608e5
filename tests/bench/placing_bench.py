#!/usr/bin/env python3
"""Placing a query's words in passages (ranking.score_passage), alone: the calls the service
makes for the benchmark's quotes and typos are recorded once, then replayed five times; prints
the best replay's time a passage. To compare versions, run a copy of it in a git worktree
of each (it imports the app beside it).

usage: python tests/bench/placing_bench.py DIR/bench.db [--classes quote,typo] [--per-class 40]
"""

import argparse
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.search.candidates import gather, ranking  # noqa: E402
from tests.bench.in_process import bench_queries, searcher_of  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("db", type=Path)
    ap.add_argument("--classes", default="quote,typo")
    ap.add_argument("--per-class", type=int, default=40)
    args = ap.parse_args()
    queries = bench_queries(args.per_class)
    store, searcher = searcher_of(args.db)
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    place = ranking.score_passage

    def recording(*call: Any, **named: Any) -> Any:
        calls.append((call, named))
        return place(*call, **named)

    gather.score_passage = recording  # type: ignore[assignment]
    for cls in args.classes.split(","):
        for q in queries[cls]:
            searcher.search(store, q, limit=10)
    gather.score_passage = place
    best = float("inf")
    for _ in range(5):
        began = time.perf_counter()
        for call, named in calls:
            place(*call, **named)
        best = min(best, time.perf_counter() - began)
    print(f"{len(calls)} passages placed; best of 5 replays: {1e6 * best / len(calls):.1f} µs each")


if __name__ == "__main__":
    main()
