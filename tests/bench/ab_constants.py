#!/usr/bin/env python3
"""One search setting two ways, in one process: each benchmark query is searched with the
module constants as they are and as given, in turn (three times each, the first left out), so
both meet the machine at the same moment. Prints p50 per class for both, their ratio, and how
many first pages (the hits' talks and seconds) differ: a setting that saves time but changes
what a person sees wants a quality run (`make eval`) too.

usage: python tests/bench/ab_constants.py DIR/bench.db NAME=VALUE [NAME=VALUE ...]
       [--classes rare,words] [--per-class 40]

NAME is a constant of app/search/tuning.py or app/search/engines/fts5.py (e.g. ONE_WORD_RANKED=40,
SCAN_LIMIT=1000); the archive is one `tests/bench/bench.py --archive DIR` built.
"""

import argparse
import sys
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.search import tuning  # noqa: E402
from app.search.engines import fts5  # noqa: E402
from tests.bench.bench import pct  # noqa: E402
from tests.bench.in_process import WORD_CLASSES, bench_queries, searcher_of  # noqa: E402

MODULES = (tuning, fts5)


def owner(name: str) -> ModuleType:
    for module in MODULES:
        if isinstance(getattr(module, name, None), int):
            return module
    raise SystemExit(
        f"{name}: not an integer constant of app.search.tuning or app.search.engines.fts5"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("db", help="DIR/bench.db, or a database URL")
    ap.add_argument("settings", nargs="+", help="NAME=VALUE")
    ap.add_argument("--classes", default=WORD_CLASSES)
    ap.add_argument("--per-class", type=int, default=40)
    args = ap.parse_args()
    changed = {name: int(value) for name, value in (s.split("=", 1) for s in args.settings)}
    modules = {name: owner(name) for name in changed}
    as_is = {name: getattr(modules[name], name) for name in changed}
    queries = bench_queries(args.per_class)
    store, searcher = searcher_of(args.db)
    searcher.search(store, "warm up the vocabulary sevreal")

    def use(values: dict[str, int]) -> None:
        for name, value in values.items():
            setattr(modules[name], name, value)

    print(f"as is: {as_is}; as given: {changed}")
    print("class      as is p50 ms   as given p50 ms   given / as is   first pages differing")
    for cls in args.classes.split(","):
        took: dict[str, list[float]] = {"as is": [], "given": []}
        differing = 0
        for q in queries[cls]:
            pages: dict[str, list[tuple[str, float]]] = {}
            for round_no in range(3):
                for label, values in (("as is", as_is), ("given", changed)):
                    use(values)
                    began = time.perf_counter()
                    result = searcher.search(store, q, limit=10)
                    if round_no:
                        took[label].append(1000 * (time.perf_counter() - began))
                    pages[label] = [(h.talk.slug, h.start) for h in result.hits]
            differing += pages["as is"] != pages["given"]
        use(as_is)
        before, after = sorted(took["as is"]), sorted(took["given"])
        print(
            f"{cls:9s} {pct(before, 50):12.2f} {pct(after, 50):17.2f}"
            f" {pct(after, 50) / pct(before, 50):14.2f}x {differing:10d} of {len(queries[cls])}"
        )


if __name__ == "__main__":
    main()
