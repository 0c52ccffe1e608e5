#!/usr/bin/env python3
"""Benchmark at N hours: builds a corpus by replicating ../shared episodes (words perturbed, new
slugs), ingests it with `talks ingest`, then measures search latency per query class through
the search service, through HTTP, and for the raw engine query alone, and HTTP throughput with
concurrent clients. Traffic stays on 127.0.0.1; every loop is bounded.

usage: python tests/bench/bench.py [--hours 1000] [--engine fts5|postgres|tantivy|whoosh]
       [--db URL | --postgres] [--per-class 40] [--clients 16] [--seconds 20] [--workers 2]
       [--keep DIR] [--archive DIR]

--db puts the archive in that (empty) database instead of a new SQLite file, e.g. PostgreSQL:
`python -m tests.postgres_cluster bench` starts a throwaway cluster and prints its URL.
--postgres starts such a cluster for the run (shared_buffers 2GB) and stops it at the end.

Throughput is measured with wrk (a C load generator, `apt-get install wrk`; `make bench` installs
it when run as root) so the client takes little of the machine's two cores; without wrk, with
threads of http.client in this process, and the table says which.
"""

import argparse
import gc
import http.client
import json
import os
import random
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


from app.ingest.episode_md import read_episode  # noqa: E402
from app.search.engines.engine import ENGINES, get_engine, index_folder  # noqa: E402
from app.search.language.plan import Filters  # noqa: E402
from app.search.language.planning import planned  # noqa: E402
from app.search.language.query import parse_query  # noqa: E402
from app.search.meaning import ivf  # noqa: E402
from app.search.meaning.embedder import Embedder  # noqa: E402
from app.search.meaning.nearest import load_meaning  # noqa: E402
from app.search.meaning.vectors import sync_vectors, vectors_model  # noqa: E402
from app.search.service import SearchService  # noqa: E402
from app.store import Store, open_store  # noqa: E402
from app.text.analysis import words  # noqa: E402
from tests.bench.peer import build_peer, peer_path, peer_server  # noqa: E402
from tests.postgres_cluster import PostgresCluster, find_bin_dir  # noqa: E402
from tests.servers import TALKS, free_port, talks_server  # noqa: E402

SHARED = ROOT.parent / "shared"
CLASSES = ["common", "rare", "words", "quote", "phrase", "prefix", "typo", "subject"]
# Datasette's _search has no prefixes, and no meaning search: "subject" (the dev topic queries,
# blended with meaning when it is on) is the archive's alone
PEER_CLASSES = [c for c in CLASSES if c not in ("prefix", "subject")]
TOPICS = SHARED / "queries" / "dev_topics.jsonl"


def build_corpus(episodes: Path, hours: float, out: Path, rng: random.Random) -> tuple[int, int]:
    """JSON transcripts adding up to `hours`; copies after the first get 2% of words swapped."""
    talks = []
    for path in sorted(episodes.glob("*.md")):
        tr = read_episode(path.read_text(encoding="utf-8"), path)
        talks.append((path.stem, [(s.start, s.speaker, s.text) for s in tr.segments]))
    if not talks:
        sys.exit(f"no episodes (*.md) in {episodes}: give --episodes, or put ../shared beside")
    vocab = [w for _, segs in talks for _, _, text in segs for w in text.split()][:200_000]

    total_seconds, files, total_words, copy = 0.0, 0, 0, 0
    while total_seconds < hours * 3600:
        for stem_, segs in talks:
            if total_seconds >= hours * 3600:
                break
            items = []
            for start, speaker, text in segs:
                ws = text.split()
                if copy:
                    ws = [rng.choice(vocab) if rng.random() < 0.02 else w for w in ws]
                total_words += len(ws)
                items.append({"start": start, "speaker": speaker, "text": " ".join(ws)})
            name = stem_ if copy == 0 else f"{stem_}-copy{copy}"
            (out / f"{name}.json").write_text(json.dumps(items))
            total_seconds += segs[-1][0] + 60
            files += 1
        copy += 1
    return files, total_words


def make_queries(episodes: Path, rng: random.Random, per_class: int) -> dict[str, list[str]]:
    texts = [
        s.text
        for p in sorted(episodes.glob("*.md"))[:60]
        for s in read_episode(p.read_text(encoding="utf-8"), p).segments
    ]
    counts: dict[str, int] = {}
    for text in texts:
        for w in words(text):
            counts[w] = counts.get(w, 0) + 1
    ranked = sorted(counts, key=lambda w: -counts[w])
    common = [w for w in ranked[:40] if len(w) > 2]
    rare = [w for w, c in counts.items() if 2 <= c <= 4 and w.isalpha() and len(w) > 4]
    mid = [w for w in ranked[200:2000] if w.isalpha() and len(w) > 5]

    def span(n: int) -> str:
        while True:
            ws = rng.choice(texts).split()
            if len(ws) >= n:
                i = rng.randrange(len(ws) - n + 1)
                return " ".join(re.sub(r"[^\w']", "", w) for w in ws[i : i + n])

    def typo() -> str:
        ws = span(5).split()
        longest = max(range(len(ws)), key=lambda i: len(ws[i]))
        w = ws[longest]
        if len(w) > 3:
            i = rng.randrange(1, len(w) - 2)
            ws[longest] = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
        return " ".join(ws)

    def typed(text: str) -> str:
        *first, last = text.split()
        return " ".join([*first, last[: rng.randint(2, max(2, min(4, len(last))))]])

    topics = [json.loads(line)["q"] for line in TOPICS.read_text().splitlines() if line.strip()]
    return {
        "subject": [rng.choice(topics) for _ in range(per_class)],
        "common": [rng.choice(common) for _ in range(per_class)],
        "rare": [rng.choice(rare) for _ in range(per_class)],
        "words": [span(rng.choice([2, 3])) for _ in range(per_class)],
        "quote": [span(rng.randint(6, 10)) for _ in range(per_class)],
        "phrase": [f'"{span(4)}"' for _ in range(per_class)],
        "prefix": [rng.choice(mid)[:4] + "*" for _ in range(per_class)],
        "typo": [typo() for _ in range(per_class)],
        # what the search page asks while a person types: the last word cut short
        "typing": [typed(span(rng.choice([2, 3]))) for _ in range(per_class)],
    }


def embed_all(store: Store, model: Embedder) -> tuple[int, int, float]:
    """Meaning vectors for every talk, as `talks ingest` makes them (the passage model fitted
    on a sample, then every passage): (talks embedded, passages, seconds)."""
    began = time.perf_counter()
    talks = sync_vectors(store, model)
    seconds = time.perf_counter() - began
    with store.snapshot() as snapshot:
        return talks, snapshot.passage_count(), seconds


def settle_client_heap() -> None:
    """Freeze what this process has built (the corpus, the queries, an in-process archive) so
    that its full collections, tens of ms each, do not land inside a timed search: the client
    is not what is measured, and its pauses fell on either side at random."""
    gc.collect()
    gc.freeze()


def pct(values: list[float], p: int) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))]


def wrk_throughput(
    base: str, queries: list[str], clients: int, seconds: float, work: Path
) -> tuple[int, int]:
    """Searches answered and failed (non-2xx, socket errors) by wrk cycling through `queries`
    on `clients` connections for `seconds`."""
    paths = ["/api/search?" + urllib.parse.urlencode({"q": q}) for q in queries]
    script = work / "mix.lua"
    script.write_text(
        "local paths = {" + ",".join(f"[==[{p}]==]" for p in paths) + "}\n"
        "local i = 0\n"
        "request = function()\n  i = i + 1\n"
        "  return wrk.format('GET', paths[(i % #paths) + 1])\nend\n"
        "done = function(summary, latency, requests)\n"
        "  local e = summary.errors\n"
        "  io.write(string.format('WRK %d %d\\n', summary.requests,\n"
        "    e.status + e.connect + e.read + e.write + e.timeout))\nend\n"
    )
    out = subprocess.run(
        ["wrk", f"-t{min(2, clients)}", f"-c{clients}", f"-d{int(seconds)}s", "--timeout", "30s"]
        + ["-s", str(script), base],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    ).stdout
    found = re.search(r"^WRK (\d+) (\d+)$", out, re.M)
    if not found:
        sys.exit(f"wrk gave no summary:\n{out}")
    return int(found[1]), int(found[2])


def bare_get(sock: socket.socket, path: str) -> int:
    """GET on a kept-alive connection; reads the whole body (sized or chunked, as Datasette
    sends it); returns the status."""
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    sized = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    if sized:
        while len(body) < int(sized[1]):
            body += sock.recv(65536)
    else:  # chunked: up to the last, empty chunk
        while not body.endswith(b"0\r\n\r\n"):
            body += sock.recv(65536)
    return int(head.split(b" ", 2)[1])


def timed_gets(sock: socket.socket, paths: list[str]) -> list[float]:
    """Milliseconds each GET took, one at a time on the kept-alive `sock`; stops the bench on
    an answer other than 200."""
    took = []
    for path in paths:
        t = time.perf_counter()
        status = bare_get(sock, path)
        took.append(1000 * (time.perf_counter() - t))
        if status != 200:
            sys.exit(f"{path} answered {status}")
    return took


def thread_throughput(port: int, mix: list[str], clients: int, seconds: float) -> tuple[int, int]:
    """Searches answered and failed by `clients` threads of http.client for `seconds`."""
    served, failed = [0], [0]
    deadline = time.time() + seconds

    def client(seed: int) -> None:
        r = random.Random(seed)
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.time() < deadline:
            c.request("GET", "/api/search?" + urllib.parse.urlencode({"q": r.choice(mix)}))
            response = c.getresponse()
            response.read()
            served[0] += 1
            failed[0] += response.status != 200
        c.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)
    return served[0], failed[0]


def startup_and_memory(
    db: str, log: Path, env: dict[str, str], mix: list[str]
) -> tuple[float, float, float]:
    """One `talks serve` worker: seconds from its start to its first search answered, and its
    resident memory (MB) after answering every query of the mix once: all of it, and its own
    (anonymous: not pages of files, such as shared libraries, mapped)."""
    port = free_port()
    began = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [TALKS, "serve", "--db", db, "--host", "127.0.0.1", "--port", str(port)],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    first = f"http://127.0.0.1:{port}/api/search?" + urllib.parse.urlencode({"q": mix[0]})
    try:
        while True:
            try:
                urllib.request.urlopen(first, timeout=60).close()
                break
            except OSError:
                if proc.poll() is not None or time.perf_counter() - began > 300:
                    sys.exit(f"talks serve did not answer:\n{log.read_text()[-2000:]}")
                time.sleep(0.05)
        first_answer_s = time.perf_counter() - began
        with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
            for q in mix:
                bare_get(sock, "/api/search?" + urllib.parse.urlencode({"q": q, "limit": 10}))
        status = Path(f"/proc/{proc.pid}/status").read_text()
        kb = {
            line.split(":")[0]: int(line.split()[1])
            for line in status.splitlines()
            if line.startswith(("VmRSS", "RssAnon"))
        }
    finally:
        proc.terminate()
        proc.wait(30)
    return first_answer_s, kb["VmRSS"] / 1024, kb["RssAnon"] / 1024


def measure_peer(
    corpus: Path, work: Path, queries: dict[str, list[str]], ours_all: list[float]
) -> tuple[float, dict[str, tuple[float, float, float]]]:
    """Build the peer from the same corpus files, then time the same queries the same way."""
    db_file = work / "peer.db"
    build_s = build_peer(corpus, db_file)
    out: dict[str, tuple[float, float, float]] = {}
    with peer_server(db_file, work / "peer.log") as base:
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
            for q in queries["common"][:5]:  # warm up (page cache, first queries)
                bare_get(sock, peer_path(db_file, q))
            settle_client_heap()
            every: list[float] = []
            for cls in PEER_CLASSES:
                lat = []
                for q in queries[cls]:
                    path = peer_path(db_file, q)
                    t = time.perf_counter()
                    status = bare_get(sock, path)
                    lat.append(1000 * (time.perf_counter() - t))
                    if status != 200:
                        sys.exit(f"the peer answered {status} to {path}")
                out[cls] = (pct(lat, 50), pct(lat, 95), pct(lat, 99))
                every += lat
    out["all"] = (pct(every, 50), pct(every, 95), pct(every, 99))
    out["ours-all"] = (pct(ours_all, 50), pct(ours_all, 95), pct(ours_all, 99))
    return build_s, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hours", type=float, default=1000)
    ap.add_argument("--per-class", type=int, default=40)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=20, help="throughput run")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--episodes", type=Path, default=SHARED / "corpus/datatalksclub/episodes")
    ap.add_argument("--engine", default=None, choices=ENGINES, help="default: the database's own")
    ap.add_argument("--db", help="an empty database to ingest into (default: a new SQLite file)")
    ap.add_argument(
        "--reuse", action="store_true", help="--db already holds this corpus: no ingest"
    )
    ap.add_argument("--keep", type=Path, help="keep the built archive in this folder")
    ap.add_argument(
        "--archive", type=Path, help="reuse the archive --keep left in this folder (no ingest)"
    )
    ap.add_argument("--python-client", action="store_true", help="threads even if wrk is there")
    ap.add_argument(
        "--no-peer", action="store_true", help="skip Datasette over caption lines (the peer)"
    )
    ap.add_argument(
        "--no-semantic", action="store_true", help="meaning search off (default: on if installed)"
    )
    ap.add_argument(
        "--postgres",
        action="store_true",
        help="ingest into a throwaway PostgreSQL cluster started for the run (shared_buffers 2GB)",
    )
    args = ap.parse_args()
    if not args.postgres:
        run(args)
        return
    bin_dir = find_bin_dir()
    if bin_dir is None:
        sys.exit("PostgreSQL is not installed: make postgres-deps")
    cluster = PostgresCluster(bin_dir, durable=True, settings=("shared_buffers=2GB",))
    cluster.start()
    try:
        cluster.admin("CREATE DATABASE bench")
        args.db = cluster.url("bench")
        run(args)
    finally:
        cluster.stop()


def run(args: argparse.Namespace) -> None:
    rng = random.Random(42)
    work = Path(tempfile.mkdtemp(prefix="talks-bench-"))
    corpus = work / "corpus"
    corpus.mkdir()
    files, total_words = build_corpus(args.episodes, args.hours, corpus, rng)
    engine_args = ["--engine", args.engine] if args.engine else []
    if args.reuse and args.db:
        db_file = work / "bench.db"
        ingest_s, peak_mb = float("nan"), float("nan")
    elif args.archive:
        db_file = args.archive / "bench.db"
        if not db_file.exists():
            sys.exit(f"{db_file} is missing: build it once with --keep {args.archive}")
        ingest_s, peak_mb = float("nan"), float("nan")
    else:
        db_file = work / "bench.db"
        t0 = time.perf_counter()
        ingest = subprocess.run(
            [TALKS, "ingest", str(corpus), *engine_args],
            # vectors are made below (embed_all, timed on their own), not by the ingest
            env=dict(
                os.environ, TALKS_DB=args.db or f"sqlite:///{db_file}", TALKS_SEMANTIC="false"
            ),
            capture_output=True,
            text=True,
        )
        ingest_s = time.perf_counter() - t0
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if ingest.returncode != 0:
            print(ingest.stdout[-2000:], ingest.stderr[-2000:])
            sys.exit(1)
    db = args.db or f"sqlite:///{db_file}"
    store = open_store(db)
    if store.backend == "sqlite":
        size_mb = sum(p.stat().st_size for p in db_file.parent.rglob("*") if "bench.db" in str(p))
    else:
        with store.snapshot() as snapshot:
            size_mb = snapshot.rows("SELECT pg_database_size(current_database())")[0][0]
    size_mb /= 2**20
    queries = make_queries(args.episodes, rng, args.per_class)

    # the meaning index on disk where `talks serve` looks for it (beside a SQLite file; in the
    # bench's folder, named to the server by TALKS_INDEX_DIR, for PostgreSQL)
    index_dir = None if store.backend == "sqlite" else str(work)
    meaning, meaning_off = load_meaning(
        not args.no_semantic, index_folder(db, "meaning", index_dir)
    )
    semantic_line = f"meaning search off: {meaning_off}"
    if meaning is not None:
        embedded, passages, embed_s = embed_all(store, meaning.embedder)
        began = time.perf_counter()
        written = meaning.refresh(store) or (
            "the meaning index on disk is up to date"
            if ivf.current(meaning.folder)
            else "no meaning index on disk (searched exactly)"
        )
        print(f"{written} ({time.perf_counter() - began:.0f} s)", flush=True)
        with store.snapshot() as snapshot:
            model = vectors_model(snapshot, meaning.embedder)
            vector_mb = sum(len(v) for _, _, v in snapshot.talk_vectors(model))
        semantic_line = (
            f"meaning search on: {embedded} talks ({passages} passages) embedded in "
            f"{embed_s:.0f} s, {passages / max(embed_s, 1e-9):.0f} passages/s; "
            f"{vector_mb / 2**20:.0f} MB of vectors"
            if embedded
            else f"meaning search on: the archive's vectors reused ({vector_mb / 2**20:.0f} MB)"
        )
    search_engine = get_engine(args.engine, db)
    engine_name = search_engine.name
    service = SearchService(search_engine, meaning=meaning, meaning_off=meaning_off)
    svc: dict[str, list[float]] = {}
    raw: dict[str, list[float]] = {}
    service.search(store, "warm up the vocabulary sevreal")
    settle_client_heap()
    for cls in CLASSES:
        for q in queries[cls]:
            t = time.perf_counter()
            service.search(store, q, limit=10)
            svc.setdefault(cls, []).append(1000 * (time.perf_counter() - t))
            # the raw engine: the same query's strict match, top 10, nothing else
            with store.snapshot() as snapshot:
                plan, _ = planned(snapshot, parse_query(q), Filters())
                if plan.must:
                    t = time.perf_counter()
                    search_engine.search(snapshot, plan, 10)
                    raw.setdefault(cls, []).append(1000 * (time.perf_counter() - t))
    store.dispose()

    quiet = {
        "TALKS_SLOW_QUERY_MS": "100000",
        "TALKS_ENGINE": engine_name,
        "TALKS_SEMANTIC": "false" if meaning is None else "true",
        **({"TALKS_INDEX_DIR": index_dir} if index_dir else {}),
    }
    with talks_server(db, work / "serve.log", env=quiet, workers=args.workers) as base:
        port = int(base.rsplit(":", 1)[1])
        for _ in range(4 * args.workers):  # each worker loads its speller once, not measured
            urllib.request.urlopen(base + "/api/search?q=warm+sevreal", timeout=60).close()
        settle_client_heap()
        # latency: one request at a time on one kept-alive connection, with a bare HTTP/1.1
        # client (http.client's header parsing alone would add most of a millisecond)
        http_pct: dict[str, tuple[float, float, float]] = {}
        lat_by_class: dict[str, list[float]] = {}
        with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
            all_lat: list[float] = []
            for cls in CLASSES:
                lat = timed_gets(
                    sock,
                    [
                        "/api/search?" + urllib.parse.urlencode({"q": q, "limit": 10})
                        for q in queries[cls]
                    ],
                )
                http_pct[cls] = (pct(lat, 50), pct(lat, 95), pct(lat, 99))
                lat_by_class[cls] = lat
                all_lat += lat
            http_pct["all"] = (pct(all_lat, 50), pct(all_lat, 95), pct(all_lat, 99))
            ours_all = [x for cls in PEER_CLASSES for x in lat_by_class[cls]]
            typing = timed_gets(  # the search page as you type: the whole HTML page
                sock,
                [
                    "/search?" + urllib.parse.urlencode({"q": q, "typing": 1})
                    for q in queries["typing"]
                ],
            )
        mix = [q for cls in CLASSES for q in queries[cls]]
        random.Random(7).shuffle(mix)
        if shutil.which("wrk") and not args.python_client:
            client_name = "wrk"
            served_n, failed_n = wrk_throughput(base, mix, args.clients, args.seconds, work)
        else:
            client_name = "python threads"
            served_n, failed_n = thread_throughput(port, mix, args.clients, args.seconds)

    first_answer_s, rss_mb, own_mb = startup_and_memory(db, work / "startup.log", quiet, mix)

    peer = None
    if not args.no_peer:
        peer = measure_peer(corpus, work, queries, ours_all)
    print(
        f"corpus: {files} talks, {total_words:,} words, {args.hours:.0f} hours; "
        f"engine {engine_name}, {store.backend}"
    )
    if args.archive or args.reuse:
        print(f"ingest: reused {args.archive or args.db}, database {size_mb:.0f} MB")
    else:
        print(
            f"ingest: {ingest_s:.1f} s, {total_words / ingest_s:,.0f} words/s, "
            f"peak memory {peak_mb:.0f} MB, database {size_mb:.0f} MB"
        )
    print(semantic_line)
    print(
        f"{'class':8s} {'service p50/p95/p99 ms':>24s} {'HTTP p50/p95/p99 ms':>22s} "
        f"{'raw engine p50':>15s} {'overhead p50':>13s} {'2x+3 ms':>8s}"
    )
    all_svc, all_raw = [], []
    for cls in CLASSES:
        a, r = svc[cls], raw.get(cls, [0.0])
        h = http_pct[cls]
        all_svc += a
        all_raw += r
        print(
            f"{cls:8s} {pct(a, 50):8.1f}{pct(a, 95):8.1f}{pct(a, 99):8.1f} "
            f"{h[0]:7.1f}{h[1]:7.1f}{h[2]:7.1f} {pct(r, 50):15.1f} "
            f"{h[0] / max(pct(r, 50), 0.01):12.1f}x {2 * pct(r, 50) + 3:8.1f}"
        )
    h = http_pct["all"]
    print(
        f"{'all':8s} {pct(all_svc, 50):8.1f}{pct(all_svc, 95):8.1f}{pct(all_svc, 99):8.1f} "
        f"{h[0]:7.1f}{h[1]:7.1f}{h[2]:7.1f} "
        f"{pct(all_raw, 50):15.1f} {h[0] / max(pct(all_raw, 50), 0.01):12.1f}x "
        f"{2 * pct(all_raw, 50) + 3:8.1f}"
    )
    print("HTTP latency: one request at a time, a bare HTTP/1.1 client on one connection")
    print(
        f"search page as you type (last word a prefix, /search?typing=1): "
        f"p50 {pct(typing, 50):.1f} p95 {pct(typing, 95):.1f} p99 {pct(typing, 99):.1f} ms"
    )
    if peer is not None:
        build_s, peer_pct = peer
        print(
            f"peer: Datasette over a sqlite-utils FTS5 table of caption lines, built in "
            f"{build_s:.1f} s; HTTP the same way, the same queries"
        )
        head = f"{'archive p50/p99 ms':>19s} {'peer p50/p99 ms':>16s} {'ratio p50/p99':>14s}"
        print(f"{'class':8s} {head}")
        for cls in [*PEER_CLASSES, "all"]:
            ours = http_pct[cls] if cls != "all" else peer_pct["ours-all"]
            theirs = peer_pct[cls]
            print(
                f"{cls:8s} {ours[0]:9.1f}{ours[2]:9.1f} {theirs[0]:8.1f}{theirs[2]:8.1f} "
                f"{ours[0] / theirs[0]:7.2f}x{ours[2] / theirs[2]:6.2f}x"
            )
    print(
        f"one worker: first search answered {first_answer_s:.1f} s after start; "
        f"resident memory {rss_mb:.0f} MB ({own_mb:.0f} MB its own) after the {len(mix)} queries"
    )
    print(
        f"throughput: {served_n / args.seconds:.0f} searches/s with {args.clients} clients "
        f"({client_name}), {args.workers} workers, {failed_n} failed"
    )
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        for p in work.glob("bench.db*"):
            (shutil.copytree if p.is_dir() else shutil.copy)(p, args.keep / p.name)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
