#!/usr/bin/env python3
"""Several machines' layout on one computer: a PostgreSQL primary and a streaming replica
(throwaway clusters, shared_buffers 2GB each), two `talks serve` nodes, one reading the primary
and one the replica (TALKS_READ_DB), and `talks ingest` rewriting talks on the primary in a loop
while clients search both nodes. Prints each node's searches a second and p50 / p99, the failed
requests, and whether the two nodes give the same answers once the replica has replayed the
last ingest. Traffic stays on 127.0.0.1; every loop is bounded in time.

usage: python tests/bench/nodes.py [--hours 1000] [--clients 8] [--seconds 60]
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

from tests.bench.bench import CLASSES, SHARED, build_corpus, make_queries  # noqa: E402
from tests.postgres_cluster import PostgresCluster, find_bin_dir  # noqa: E402
from tests.servers import TALKS, talks_server  # noqa: E402

REWRITTEN = 20  # talks each ingest run writes again
CATCH_UP_SECONDS = 120


def get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read()


def hits_of(body: bytes) -> list[tuple[str, float]]:
    """A search's answer: its hits' talks and moments, in order (not its timing)."""
    return [(hit["talk"]["slug"], hit["start"]) for hit in json.loads(body)["hits"]]


def replayed(primary: str, replica: str) -> bool:
    """Whether the replica has replayed everything the primary wrote so far."""
    import psycopg

    with psycopg.connect(primary, autocommit=True) as conn:
        written = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    with psycopg.connect(replica, autocommit=True) as conn:
        behind = conn.execute(
            "SELECT pg_wal_lsn_diff(%s, pg_last_wal_replay_lsn())", (written,)
        ).fetchone()[0]
    return behind <= 0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hours", type=float, default=1000)
    ap.add_argument("--clients", type=int, default=8, help="per node")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--episodes", type=Path, default=SHARED / "corpus/datatalksclub/episodes")
    args = ap.parse_args()
    bin_dir = find_bin_dir()
    if bin_dir is None:
        sys.exit("PostgreSQL is not installed: make postgres-deps")
    rng = random.Random(42)
    work = Path(tempfile.mkdtemp(prefix="talks-nodes-"))
    corpus = work / "corpus"
    corpus.mkdir()
    files, words = build_corpus(args.episodes, args.hours, corpus, rng)
    queries = make_queries(args.episodes, rng, 40)
    mix = [q for cls in CLASSES if cls != "subject" for q in queries[cls]]
    primary = PostgresCluster(bin_dir, durable=True, settings=("shared_buffers=2GB",))
    primary.start()
    replica: PostgresCluster | None = None
    try:
        primary.admin("CREATE DATABASE bench")
        db = primary.url("bench")
        env = dict(os.environ, TALKS_DB=db, TALKS_SEMANTIC="false")
        t0 = time.perf_counter()
        subprocess.run([TALKS, "ingest", str(corpus)], env=env, check=True, capture_output=True)
        print(f"{files} talks, {words:,} words ingested in {time.perf_counter() - t0:.0f} s")
        replica = primary.start_replica()
        read_db = replica.url("bench")
        quiet = {"TALKS_SEMANTIC": "false", "TALKS_SLOW_QUERY_MS": "100000"}
        with (
            talks_server(db, work / "one.log", env=quiet, workers=2) as one,
            talks_server(
                db, work / "two.log", env={**quiet, "TALKS_READ_DB": read_db}, workers=2
            ) as two,
        ):
            bases = {"primary node": one, "replica node": two}
            latencies: dict[str, list[float]] = {name: [] for name in bases}
            failures: list[str] = []
            lock = threading.Lock()
            deadline = time.monotonic() + args.seconds

            def client(name: str, seed: int) -> None:
                port = int(bases[name].rsplit(":", 1)[1])
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                draw = random.Random(seed)
                while time.monotonic() < deadline:
                    q = draw.choice(mix)
                    path = "/api/search?" + urllib.parse.urlencode({"q": q, "limit": 10})
                    began = time.perf_counter()
                    try:
                        status, _ = get(conn, path)
                    except (OSError, http.client.HTTPException) as exc:
                        status = 0
                        conn.close()
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                        with lock:
                            failures.append(f"{name} {q!r}: {exc!r}")
                    with lock:
                        latencies[name].append(time.perf_counter() - began)
                        if status and status != 200:
                            failures.append(f"{name} {q!r}: HTTP {status}")
                conn.close()

            ingest_runs = 0

            def ingester() -> None:
                nonlocal ingest_runs
                sources = sorted(corpus.iterdir())[:REWRITTEN]
                originals = [src.read_text(encoding="utf-8") for src in sources]
                while time.monotonic() < deadline - 5:
                    for src, text in zip(sources, originals, strict=True):
                        changed = text.replace("data", f"data{ingest_runs % 2}", 1)
                        src.write_text(changed, encoding="utf-8")  # the same files, changed
                    ingest = [TALKS, "ingest", *map(str, sources)]
                    run = subprocess.run(ingest, env=env, capture_output=True)
                    if run.returncode != 0:
                        with lock:
                            failures.append(f"ingest: {run.stderr[-300:]!r}")
                    ingest_runs += 1

            threads = [
                threading.Thread(target=client, args=(name, 1000 * k + i))
                for k, name in enumerate(bases)
                for i in range(args.clients)
            ]
            threads.append(threading.Thread(target=ingester))
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(args.seconds + 120)
            primary_url = db.replace("+psycopg", "")
            replica_url = read_db.replace("+psycopg", "")
            for _ in range(CATCH_UP_SECONDS * 10):
                if replayed(primary_url, replica_url):
                    break
                threading.Event().wait(0.1)
            answers = {}
            for name, base in bases.items():
                port = int(base.rsplit(":", 1)[1])
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                paths = [
                    "/api/search?" + urllib.parse.urlencode({"q": q, "limit": 10}) for q in mix
                ]
                answers[name] = [hits_of(get(conn, p)[1]) for p in paths]
                conn.close()
            alike = sum(a == b for a, b in zip(*answers.values(), strict=True))
    finally:
        if replica is not None:
            replica.stop()
        primary.stop()
        shutil.rmtree(work, ignore_errors=True)

    print(
        f"two nodes, {args.clients} clients each, {args.seconds:.0f} s; "
        f"{ingest_runs} ingest runs of {REWRITTEN} talks meanwhile"
    )
    for name, lat in latencies.items():
        q = statistics.quantiles(lat, n=100)
        print(
            f"{name}: {len(lat) / args.seconds:.0f} searches/s, p50 {1000 * q[49]:.1f} ms, "
            f"p99 {1000 * q[98]:.1f} ms"
        )
    print(f"failed requests: {len(failures)}")
    for line in failures[:10]:
        print("  ", line)
    print(f"answers alike after the replica caught up: {alike} of {len(mix)} queries")
    sys.exit(1 if failures or alike != len(mix) else 0)


if __name__ == "__main__":
    main()
