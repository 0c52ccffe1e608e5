#!/usr/bin/env python3
"""The blend's fusion constants chosen by cross-validation over the dev topic queries, so the
figure reported for them is one of queries they were not chosen on.

Every (RRF_K, WORDS_WEIGHT) of a grid searches all 200 queries once (mode auto, top 10, in
this process, on the archive `tests/bench/topic_eval.py` builds); then, for each of 5 folds, the
setting best on the other four (success@1 plus success@10, then the one nearest the current
values) is scored on the fold held out. Prints each setting's figures, each fold's choice and
the held-out figure (the folds' results put together), and the setting best on all queries —
the one app/search/tuning.py holds.

usage: python tests/bench/cross_validate.py [--archive DIR] [--folds 5]
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.search import tuning  # noqa: E402
from app.search.service import SearchService  # noqa: E402
from tests.bench.topic_eval import right_hits, topic_archive  # noqa: E402

GRID_K = (2, 5, 10, 20, 40)
GRID_WEIGHT = (1.0, 1.25, 1.5, 2.0, 3.0)
Setting = tuple[int, float]


def outcomes(service: SearchService, store: object, queries: list[dict]) -> list[tuple[bool, bool]]:
    """(right first, right in the first ten) of each query."""
    out = []
    for q in queries:
        right = right_hits(service.search(store, q["q"], limit=10, mode="auto").hits, q)
        out.append((bool(right and right[0]), any(right)))
    return out


def score(results: list[tuple[bool, bool]], rows: list[int]) -> tuple[int, int]:
    return sum(results[i][0] for i in rows), sum(results[i][1] for i in rows)


def best(grid: dict[Setting, list[tuple[bool, bool]]], rows: list[int], now: Setting) -> Setting:
    def key(s: Setting) -> tuple[int, float]:
        first, ten = score(grid[s], rows)
        return first + ten, -abs(s[0] - now[0]) - abs(s[1] - now[1])

    return max(grid, key=key)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--archive", type=Path, default=Path("/tmp/talks-topics"))
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args()
    store, service, queries = topic_archive(args.archive)
    now = (tuning.RRF_K, tuning.WORDS_WEIGHT)
    grid: dict[Setting, list[tuple[bool, bool]]] = {}
    everyone = list(range(len(queries)))
    for k in GRID_K:
        for weight in GRID_WEIGHT:
            tuning.RRF_K, tuning.WORDS_WEIGHT = k, weight
            grid[(k, weight)] = outcomes(service, store, queries)
            first, ten = score(grid[(k, weight)], everyone)
            print(
                f"RRF_K {k:3d} WORDS_WEIGHT {weight:4.2f}: "
                f"{first / len(queries):.3f} / {ten / len(queries):.3f}"
            )
    tuning.RRF_K, tuning.WORDS_WEIGHT = now
    held_first = held_ten = 0
    for fold in range(args.folds):
        test = [i for i in everyone if i % args.folds == fold]
        train = [i for i in everyone if i % args.folds != fold]
        chosen = best(grid, train, now)
        first, ten = score(grid[chosen], test)
        held_first, held_ten = held_first + first, held_ten + ten
        print(
            f"fold {fold}: chose RRF_K {chosen[0]} WORDS_WEIGHT {chosen[1]}; held out "
            f"{first}/{len(test)} first, {ten}/{len(test)} in ten"
        )
    n = len(queries)
    print(
        f"cross-validated ({args.folds} folds): success@1 {held_first / n:.3f} "
        f"success@10 {held_ten / n:.3f}"
    )
    chosen = best(grid, everyone, now)
    first, ten = score(grid[chosen], everyone)
    print(
        f"best on all queries: RRF_K {chosen[0]} WORDS_WEIGHT {chosen[1]}: "
        f"{first / n:.3f} / {ten / n:.3f}"
    )
    store.dispose()


if __name__ == "__main__":
    main()
