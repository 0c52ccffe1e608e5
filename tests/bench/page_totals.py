#!/usr/bin/env python3
"""What a search page's exact totals cost: each query searched as the API does (the first block
ranked) and as the search page does (`whole`: every match up to PAGE_RANKED passages), best of
3 rounds each, in-process, on an existing archive.

usage: python tests/bench/page_totals.py sqlite:///DIR/talks.db [query ...]
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.config import Settings  # noqa: E402
from app.wiring import open_archive, search_service  # noqa: E402

QUERIES = ["kubernetes", "python", "feature store", "career transition", "machine learning", "the"]


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    settings = Settings(db=sys.argv[1], semantic=False, slow_query_ms=10**6)
    archive = open_archive(settings)
    service = search_service(settings, archive.engine)
    print(f"{'query':20s} {'first block ms':>14s} {'total':>8s} {'whole ms':>9s} {'total':>12s}")
    for q in sys.argv[2:] or QUERIES:
        row = []
        for whole in (False, True):
            best, result = float("inf"), None
            for _ in range(3):
                began = time.perf_counter()
                result = service.search(archive.store, q, facets=True, whole=whole)
                best = min(best, time.perf_counter() - began)
            assert result is not None
            # the first block estimates ("about"); the page's bound makes it "more than"
            shown = (
                str(result.total)
                if result.total_exact
                else ("> " if whole else "~") + str(result.total)
            )

            row += [f"{1000 * best:.1f}", shown]
        print(f"{q:20s} {row[0]:>14s} {row[1]:>8s} {row[2]:>9s} {row[3]:>12s}")
    archive.dispose()


if __name__ == "__main__":
    main()
