#!/usr/bin/env python3
"""Harder quote check: sentences from the seed's edited twin (the episode Markdown) searched
against the seed's raw auto-captions, with the twin left out of the archive.

usage: python tests/bench/twin_eval.py [--episodes DIR] [--seed FILE] [--n 200] [--words 8]
A query counts as found when the top hit is the seed talk and its start lies within the twin
turn's [start - 15, next later turn's start + 15] seconds (the transcripts' clocks differ a little).
Prints success@1 / @10 per query length and median latency through the search service.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.ingest.episode_md import read_episode  # noqa: E402
from app.ingest.files import transcript_files  # noqa: E402
from app.ingest.loader import load_files  # noqa: E402
from app.search.engines.engine import get_engine  # noqa: E402
from app.search.service import SearchService  # noqa: E402
from app.store import open_store  # noqa: E402

SHARED = ROOT.parent / "shared"
TWIN = "from-software-engineer-to-machine-learning"
SEED_SLUG = "000-1290f93bafb96edd"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--episodes", type=Path, default=SHARED / "corpus/datatalksclub/episodes")
    ap.add_argument("--seed", type=Path, default=SHARED / "seed/000_1290f93bafb96edd.txt")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--slack", type=float, default=15.0)
    ap.add_argument("--rng", type=int, default=7)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    twin_path = args.episodes / f"{TWIN}.md"
    twin = read_episode(twin_path.read_text(encoding="utf-8"), twin_path)
    turns = twin.segments
    rng = random.Random(args.rng)
    queries = []
    for _ in range(args.n):
        i = rng.randrange(len(turns) - 1)
        words = turns[i].text.split()
        length = rng.choice([5, 8, 12])
        if len(words) < length:
            continue
        k = rng.randrange(len(words) - length + 1)
        queries.append(
            (" ".join(words[k : k + length]), length, turns[i].start, turns[i + 1].start)
        )

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/twin.db"
        files, _ = transcript_files([args.episodes, args.seed])
        files = [f for f in files if f.stem != TWIN]
        store = open_store(url)
        try:
            load_files(store, get_engine(None, url), files)
            service = SearchService(get_engine(None, url))
            by_len: dict[int, list[int | None]] = {}
            lat = []
            for q, length, lo, hi in queries:
                t0 = time.perf_counter()
                hits = service.search(store, q, limit=10).hits
                lat.append(time.perf_counter() - t0)
                rank = next(
                    (
                        r
                        for r, h in enumerate(hits, 1)
                        if h.talk.slug == SEED_SLUG
                        and lo - args.slack <= h.start <= hi + args.slack
                    ),
                    None,
                )
                by_len.setdefault(length, []).append(rank)
                if rank != 1 and args.verbose:
                    top = hits[0] if hits else None
                    print(
                        f"MISS {q!r} want {lo:.0f}-{hi:.0f} got "
                        f"{top.talk.slug if top else None} {top.start if top else ''} "
                        f"{top.text[:80] if top else ''}"
                    )
        finally:
            store.dispose()
    allr = [r for rs in by_len.values() for r in rs]
    for length, rs in sorted(by_len.items()):
        n = len(rs)
        print(
            f"{length:2d} words n={n:4d} s@1={sum(r == 1 for r in rs) / n:.3f} "
            f"s@10={sum(r is not None for r in rs) / n:.3f}"
        )
    print(f"median latency {1000 * statistics.median(lat):.1f} ms")
    print(f"success@1 {sum(r == 1 for r in allr) / len(allr):.3f}")


if __name__ == "__main__":
    main()
