#!/usr/bin/env python3
"""A digest of the first pages the search gives the benchmark's queries (each hit's talk,
second and snippet), per class and over all: run a copy of it in a git worktree of each of two
versions (it imports the app beside it) to see whether a change kept every result.

usage: python tests/bench/page_digest.py DIR/bench.db [--classes common,rare,...]
"""

import argparse
import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.in_process import WORD_CLASSES, bench_queries, searcher_of  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("db", type=Path)
    ap.add_argument("--classes", default=WORD_CLASSES)
    ap.add_argument("--per-class", type=int, default=40)
    args = ap.parse_args()
    queries = bench_queries(args.per_class)
    store, searcher = searcher_of(args.db)
    every = hashlib.sha256()
    for cls in args.classes.split(","):
        digest = hashlib.sha256()
        for q in queries[cls]:
            hits = searcher.search(store, q, limit=10).hits
            page = repr([(h.talk.slug, h.start, h.snippet) for h in hits]).encode()
            digest.update(page)
            every.update(page)
        print(f"{cls:8} {len(queries[cls])} queries  {digest.hexdigest()[:16]}")
    print(f"{'all':8} {every.hexdigest()[:16]}")


if __name__ == "__main__":
    main()
