#!/usr/bin/env python3
"""Where a `talks serve` worker's memory goes: one worker over an archive, the benchmark's word
queries asked once each of /api/search and of the search page, then its resident memory from
/proc: all of it (VmRSS), its own (RssAnon: the heap, Python's objects, SQLite's page caches)
and pages of files mapped (RssFile: shared libraries, and the archive itself when SQLite maps
it). Linux only.

usage: python tests/bench/worker_memory.py DB_URL_OR_SQLITE_FILE [--talks CMD] [--port N]
       [--meaning N]

--meaning N: meaning search on (the `semantic` extra), and N subject queries (blended) asked of
/api/search after the word queries: the pages of the meaning index's files a worker reads count
in its resident memory (RssFile).

--talks: the `talks` command to run (default: this checkout's); e.g. a wrapper running another
setting: python -P -c "import app.store.sqlite as s; s.MMAP_BYTES = 2**30; ..."
"""

import argparse
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.in_process import bench_queries  # noqa: E402
from tests.servers import TALKS, free_port  # noqa: E402

FIELDS = ("VmRSS", "RssAnon", "RssFile")


def memory_of(pid: int) -> dict[str, int]:
    """The worker's memory figures in MB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in FIELDS:
            out[name] = int(value.split()[0]) // 1024
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("--talks", default=str(TALKS))
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--meaning", type=int, default=0, metavar="N")
    args = ap.parse_args()
    url = args.db if "://" in args.db else f"sqlite:///{args.db}"
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "TALKS_SEMANTIC": "true" if args.meaning else "false"}
    serve = [args.talks, "serve", "--db", url, "--port", str(port), "--workers", "1"]
    proc = subprocess.Popen(serve, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        began = time.monotonic()
        while True:
            try:
                urllib.request.urlopen(base + "/readyz", timeout=5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() - began > 300:
                    sys.exit("talks serve did not start")
                time.sleep(0.1)
        print("started:", memory_of(proc.pid))
        for cls, queries in bench_queries(40).items():
            if cls == "subject":
                continue
            for q in queries:
                for path in ("/api/search?", "/search?"):
                    urllib.request.urlopen(base + path + urllib.parse.urlencode({"q": q})).read()
        print("after the queries:", memory_of(proc.pid))
        if args.meaning:
            for q in bench_queries(args.meaning)["subject"]:
                urllib.request.urlopen(
                    base + "/api/search?" + urllib.parse.urlencode({"q": q})
                ).read()
            print(f"after {args.meaning} subject queries:", memory_of(proc.pid))
    finally:
        proc.terminate()
        proc.wait(30)


if __name__ == "__main__":
    main()
