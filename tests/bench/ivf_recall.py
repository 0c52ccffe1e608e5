#!/usr/bin/env python3
"""The meaning index on disk against the exact search, on a built archive: for each dev topic
query, the nearest MEANING_CANDIDATES passages both ways; prints the share the index finds of
the exact ones (recall), how often the first is the same, and the time of each, for several
numbers of lists read (PROBES).

usage: python tests/bench/ivf_recall.py DIR/bench.db [--probes 8,16,32,64]

The archive is one `tests/bench/bench.py --hours 10000 --keep DIR` built (its index on disk
beside it: bench.db.meaning). The exact search holds every vector in memory (~4.4 GB at
10,000 hours).
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.search import tuning  # noqa: E402
from app.search.engines.engine import index_folder  # noqa: E402
from app.search.meaning.nearest import VectorIndex, load_meaning  # noqa: E402
from app.search.meaning.vectors import vectors_model  # noqa: E402
from app.store import open_store  # noqa: E402
from tests.bench.bench import pct  # noqa: E402

TOPICS = ROOT.parent / "shared" / "queries" / "dev_topics.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("db", type=Path)
    ap.add_argument("--probes", default="8,16,32,64")
    args = ap.parse_args()
    url = f"sqlite:///{args.db}"
    store = open_store(url)
    meaning, why = load_meaning(True, index_folder(url, "meaning"))
    if meaning is None:
        sys.exit(why)
    queries = [json.loads(line)["q"] for line in TOPICS.read_text().splitlines() if line.strip()]
    vectors = meaning.embedder.embed(queries)
    k = tuning.MEANING_CANDIDATES
    with store.snapshot() as snapshot:
        layers = meaning.index(snapshot)
        if layers.base is None:
            sys.exit("no meaning index on disk beside the archive: run bench.py with meaning on")
        began = time.perf_counter()
        exact = VectorIndex(snapshot.talk_vectors(vectors_model(snapshot, meaning.embedder)), 384)
        print(f"exact index of {len(exact)} passages loaded in {time.perf_counter() - began:.0f} s")
    truth, exact_ms = [], []
    for v in vectors:
        began = time.perf_counter()
        truth.append([h.passage_id for h in exact.nearest(v, k)])
        exact_ms.append(1000 * (time.perf_counter() - began))
    print(f"exact: p50 {pct(exact_ms, 50):.1f} ms, p99 {pct(exact_ms, 99):.1f} ms")
    for probes in (int(p) for p in args.probes.split(",")):
        layers.base._lists.nprobe = probes  # noqa: SLF001 (a bench of the setting)
        took, recall, first = [], [], 0
        for v, want in zip(vectors, truth, strict=True):
            began = time.perf_counter()
            got = [h.passage_id for h in layers.nearest(v, k)]
            took.append(1000 * (time.perf_counter() - began))
            recall.append(len(set(got) & set(want)) / max(len(want), 1))
            first += bool(got and want and got[0] == want[0])
        print(
            f"probes {probes:3d}: recall@{k} {np.mean(recall):.3f}, same first {first}/"
            f"{len(vectors)}, p50 {pct(took, 50):.1f} ms, p99 {pct(took, 99):.1f} ms"
        )
    store.dispose()


if __name__ == "__main__":
    main()
