#!/usr/bin/env python3
"""Two versions of the archive side by side: each `talks serve` (one worker) on its own archive,
the benchmark's queries sent to both in turn, one at a time over a kept-alive connection, so
both meet the same machine at the same moment (runs a few minutes apart differ by more than
most changes). Prints p50 / p90 per class and version, the first of three rounds left out as
warm-up.

usage: python tests/bench/ab_http.py BEFORE_TALKS BEFORE_DB AFTER_TALKS AFTER_DB [--rounds 3]

BEFORE_TALKS / AFTER_TALKS: the `talks` command of each version (e.g. a git worktree of the
older commit with its own virtualenv); the databases: archives `tests/bench/bench.py --keep DIR`
built (DIR/bench.db), each migrated by its own version.
"""

import argparse
import http.client
import random
import sys
import tempfile
import time
import urllib.parse
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.bench import SHARED, make_queries, pct, settle_client_heap  # noqa: E402
from tests.servers import talks_server  # noqa: E402

NO_MEANING = {"TALKS_SEMANTIC": "false"}  # the classes compared are word queries


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("before_talks")
    ap.add_argument("before_db", type=Path)
    ap.add_argument("after_talks")
    ap.add_argument("after_db", type=Path)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--per-class", type=int, default=100)
    args = ap.parse_args()
    queries = make_queries(
        SHARED / "corpus/datatalksclub/episodes", random.Random(7), args.per_class
    )
    classes = [c for c in queries if c != "subject"]  # meaning search is off here
    logs = Path(tempfile.mkdtemp(prefix="talks-ab-"))
    took: dict[tuple[str, str], list[float]] = {}
    with ExitStack() as stack:
        bases = {
            version: stack.enter_context(
                talks_server(f"sqlite:///{db}", logs / f"{version}.log", NO_MEANING, command=talks)
            )
            for version, talks, db in (
                ("before", args.before_talks, args.before_db),
                ("after", args.after_talks, args.after_db),
            )
        }
        conns = {
            version: http.client.HTTPConnection(urllib.parse.urlsplit(base).netloc)
            for version, base in bases.items()
        }
        settle_client_heap()
        for round_no in range(args.rounds):
            for cls in classes:
                for q in queries[cls]:
                    for version, conn in conns.items():
                        began = time.perf_counter()
                        conn.request("GET", "/api/search?q=" + urllib.parse.quote(q))
                        conn.getresponse().read()
                        if round_no:
                            ms = 1000 * (time.perf_counter() - began)
                            took.setdefault((cls, version), []).append(ms)
    print("class      before p50 / p90 ms   after p50 / p90 ms   after / before (p50)")
    for cls in classes:
        b, a = sorted(took[(cls, "before")]), sorted(took[(cls, "after")])
        print(
            f"{cls:9s} {pct(b, 50):8.2f} {pct(b, 90):8.2f}   {pct(a, 50):8.2f} {pct(a, 90):8.2f}"
            f"   {pct(a, 50) / pct(b, 50):.2f}x"
        )


if __name__ == "__main__":
    main()
