#!/usr/bin/env python3
"""Load test: N concurrent clients for S seconds of mixed searches and talk pages against a real
`talks serve` on loopback, while `talks ingest` keeps rewriting talks. Traffic stays on 127.0.0.1;
every loop is bounded in time and the script stops by itself.

usage: python tests/bench/load.py [--clients 50] [--seconds 60] [--workers 1]
Prints requests, errors, throughput and latency p50/p95/p99 per kind; exits 1 on any error.
"""

import argparse
import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.servers import TALKS, talks_server  # noqa: E402

SHARED = ROOT.parent / "shared"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--episodes", type=Path, default=SHARED / "corpus/datatalksclub/episodes")
    ap.add_argument("--queries", type=Path, default=SHARED / "queries/dev.jsonl")
    args = ap.parse_args()
    queries = [json.loads(line)["q"] for line in args.queries.open() if line.strip()]

    work = Path(tempfile.mkdtemp(prefix="talks-load-"))
    db = f"sqlite:///{work / 'load.db'}"
    env = dict(os.environ, TALKS_DB=db)
    # a copy of the episodes, 20 of which are rewritten in place and ingested again during the
    # load (copies in another folder were refused: their slugs belong to the first files)
    episodes = work / "episodes"
    shutil.copytree(args.episodes, episodes)
    subprocess.run([TALKS, "ingest", str(episodes)], env=env, check=True, capture_output=True)
    slugs = [p.stem for p in sorted(episodes.glob("*.md"))]
    churn = sorted(episodes.glob("*.md"))[:20]
    originals = [src.read_text(encoding="utf-8") for src in churn]
    deadline = 0.0
    results: dict[str, list[float]] = {"search": [], "talk": []}
    errors: list[str] = []
    lock = threading.Lock()

    def client(seed: int, port: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.time() < deadline:
            if rng.random() < 0.75:
                kind = "search"
                path = "/api/search?" + urllib.parse.urlencode(
                    {"q": rng.choice(queries), "limit": 10}
                )
            else:
                kind = "talk"
                path = f"/talks/{rng.choice(slugs)}?t={rng.randrange(3000)}"
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                status = 0
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                with lock:
                    errors.append(f"{path}: {exc!r}")
            elapsed = time.perf_counter() - t0
            with lock:
                results[kind].append(elapsed)
                if status and status != 200:
                    errors.append(f"{path}: HTTP {status}")
        conn.close()

    def ingester() -> None:
        runs = 0
        while time.time() < deadline - 5:
            for src, text in zip(churn, originals, strict=True):
                src.write_text(text.replace("data", f"data{runs % 2}", 1), encoding="utf-8")
            run = subprocess.run([TALKS, "ingest", *map(str, churn)], env=env, capture_output=True)
            if run.returncode != 0:
                with lock:
                    errors.append(f"ingest: {run.stderr.decode()[-300:]}")
            runs += 1
        print(f"ingest runs during the load: {runs}")

    log = work / "serve.log"
    try:
        with talks_server(db, log, workers=args.workers) as base:
            port = int(base.rsplit(":", 1)[1])
            deadline = time.time() + args.seconds
            threads = [threading.Thread(target=client, args=(i, port)) for i in range(args.clients)]
            threads.append(threading.Thread(target=ingester))
            for t in threads:
                t.start()
            for t in threads:
                t.join(args.seconds + 60)
    finally:
        log_text = log.read_text() if log.exists() else ""
        for line in [line for line in log_text.splitlines() if "ERROR" in line][:5]:
            print("server:", line)
        if "Traceback" in log_text:
            i = log_text.find("Traceback")
            print(log_text[i : i + 20000][-6000:])
        shutil.rmtree(work, ignore_errors=True)

    total = sum(len(v) for v in results.values())
    print(f"clients {args.clients}, {args.seconds:.0f} s, server workers {args.workers}")
    print(f"requests {total}, errors {len(errors)}, throughput {total / args.seconds:.0f} req/s")
    for kind, lat in results.items():
        if lat:
            lat.sort()
            q = statistics.quantiles(lat, n=100)
            print(
                f"{kind:7s} n={len(lat):6d} p50 {1000 * q[49]:.0f} ms  p95 {1000 * q[94]:.0f} ms  "
                f"p99 {1000 * q[98]:.0f} ms"
            )
    for line in errors[:10]:
        print("error:", line)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
