#!/usr/bin/env python3
"""Topic queries by mode: success@1 and success@10 of `words`, `meaning` and `auto` on the dev
topic queries (chapter titles; a hit counts inside its chapter, 3 s either side, as
../shared/tools/quote_eval.py counts), through the search service in this process.

usage: python tests/bench/topic_eval.py [--archive DIR] [--modes auto,words,meaning]

The archive holds the dev episodes with their chapter headers removed
(../shared/tools/strip_chapters.py), and their meaning vectors; it is built in --archive (kept
there for the next run) unless it is already there.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.search.engines.engine import get_engine  # noqa: E402
from app.search.meaning.nearest import load_meaning  # noqa: E402
from app.search.present.results import Hit  # noqa: E402
from app.search.service import SearchService  # noqa: E402
from app.store import Store, open_store  # noqa: E402
from tests.servers import TALKS  # noqa: E402

SHARED = ROOT.parent / "shared"
QUERIES = SHARED / "queries" / "dev_topics.jsonl"
EPISODES = SHARED / "corpus" / "datatalksclub" / "episodes"
TOLERANCE = 3.0


def build(archive: Path) -> str:
    db = f"sqlite:///{archive / 'topics.db'}"
    if (archive / "topics.db").exists():
        return db
    stripped = archive / "episodes"
    subprocess.run(
        [sys.executable, str(SHARED / "tools" / "strip_chapters.py"), str(EPISODES), str(stripped)],
        check=True,
        capture_output=True,
    )
    began = time.perf_counter()
    done = subprocess.run(
        [TALKS, "ingest", str(stripped), "--db", db],
        env=dict(os.environ, TALKS_SEMANTIC="true"),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        sys.exit(done.stdout + done.stderr)
    print(f"built in {time.perf_counter() - began:.0f} s: {done.stdout.strip()}")
    return db


def topic_archive(archive: Path) -> tuple[Store, SearchService, list[dict]]:
    """The archive in `archive` (built there the first time), the search service over it with
    meaning on, and the dev topic queries."""
    archive.mkdir(parents=True, exist_ok=True)
    db = build(archive)
    meaning, why = load_meaning(True)
    if meaning is None:
        sys.exit(why)
    service = SearchService(get_engine(None, db), meaning=meaning, meaning_off=why)
    queries = [json.loads(line) for line in QUERIES.read_text().splitlines() if line.strip()]
    return open_store(db), service, queries


def right_hits(hits: list[Hit], q: dict) -> list[bool]:
    """Whether each hit answers the query: its episode, inside its chapter (TOLERANCE s)."""
    return [
        h.talk.slug == q["talk"] and q["start"] - TOLERANCE <= h.start <= q["end"] + TOLERANCE
        for h in hits
    ]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--archive", type=Path, default=Path("/tmp/talks-topics"))
    ap.add_argument("--modes", default="words,meaning,auto")
    args = ap.parse_args()
    store, service, queries = topic_archive(args.archive)
    for mode in args.modes.split(","):
        first = top10 = other_talk = 0
        took = []
        for q in queries:
            began = time.perf_counter()
            hits = service.search(store, q["q"], limit=10, mode=mode).hits
            took.append(1000 * (time.perf_counter() - began))
            right = right_hits(hits, q)
            first += bool(right and right[0])
            top10 += any(right)
            other_talk += bool(hits and not right[0] and hits[0].talk.slug != q["talk"])
        took.sort()
        print(
            f"{mode:8s} success@1 {first / len(queries):.3f} success@10 {top10 / len(queries):.3f}"
            f"  p50 {took[len(took) // 2]:.0f} ms  p99 {took[int(len(took) * 0.99)]:.0f} ms;"
            f" first hits wrong: {len(queries) - first}, {other_talk} of them in another talk"
        )
    store.dispose()


if __name__ == "__main__":
    main()
