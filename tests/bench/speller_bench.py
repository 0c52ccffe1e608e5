#!/usr/bin/env python3
"""Spelling-suggestion latency over a synthetic vocabulary of N words (default 170,000: this
corpus has 16.5 k words for ~140 hours; by Heaps' law, V ~ n^0.55, 10,000 hours gives ~10x).

usage: python tests/bench/speller_bench.py [--words 170000]
"""

import argparse
import random
import statistics
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.search.relax.vocabulary import Speller  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--words", type=int, default=170_000)
    args = ap.parse_args()
    rng = random.Random(1)
    words = [
        "".join(rng.choices(string.ascii_lowercase, k=max(2, int(rng.gauss(7, 2.5)))))
        for _ in range(args.words)
    ]
    speller = Speller(version=(0, 0, 0), words=words, counts=[1] * len(words))
    speller.refresh = lambda conn: None  # type: ignore[method-assign]
    lat = []
    for typo in ["sevreal", "worikng", "texbtooks", "dircetion", "atferwards", "proejct"] * 5:
        t0 = time.perf_counter()
        speller.suggest(None, typo)  # type: ignore[arg-type]
        lat.append(1000 * (time.perf_counter() - t0))
    print(
        f"vocabulary {args.words} words: suggest p50 {statistics.median(lat):.1f} ms, "
        f"max {max(lat):.1f} ms"
    )


if __name__ == "__main__":
    main()
