#!/usr/bin/env python3
"""The meaning index's memory and speed without an archive: VectorIndex built from random float16
vectors the size of N hours of passages (186 passages an hour, 384 dimensions), then 20 nearest
searches. Prints the process's peak resident memory before and after the build, the build's
seconds and a search's milliseconds. Run it from another checkout to compare versions.

usage: python tests/bench/vector_memory.py [--hours 1000] [--dimensions 384]
"""

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.search.meaning.nearest import VectorIndex  # noqa: E402

PASSAGES_PER_HOUR = 186  # 186,000 passages at 1,000 hours of the benchmark's corpus
PASSAGES_PER_TALK = 186


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hours", type=int, default=1000)
    ap.add_argument("--dimensions", type=int, default=384)
    args = ap.parse_args()
    rng = np.random.default_rng(1)
    talks = args.hours * PASSAGES_PER_HOUR // PASSAGES_PER_TALK
    rows = []
    for talk in range(talks):
        vectors = rng.normal(size=(PASSAGES_PER_TALK, args.dimensions)).astype(np.float16)
        ids = np.arange(talk * PASSAGES_PER_TALK, (talk + 1) * PASSAGES_PER_TALK, dtype=np.int64)
        rows.append((talk, ids.tobytes(), vectors.tobytes()))
    before = peak_mb()
    began = time.perf_counter()
    index = VectorIndex(rows, args.dimensions)
    built = time.perf_counter() - began
    after = peak_mb()
    query = rng.normal(size=args.dimensions).astype(np.float32)
    began = time.perf_counter()
    for _ in range(20):
        index.nearest(query, 10)
    search_ms = 1000 * (time.perf_counter() - began) / 20
    print(
        f"{len(index.ids):,} passages: peak memory {before:.0f} MB before the build, "
        f"{after:.0f} MB after; build {built:.1f} s; nearest {search_ms:.1f} ms"
    )


if __name__ == "__main__":
    main()
