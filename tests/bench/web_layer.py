#!/usr/bin/env python3
"""What the web layer adds to a search: the benchmark's queries asked of `/api/search` through
the ASGI app in this process (routing, the query string read and validated, middleware, the
thread pool, JSON; no socket) and of the same search called directly (run_search and the JSON
written), the two in turn query by query; prints p50 of each and of the difference. To
compare versions, run a copy of it in a git worktree of each (it imports the app beside it).

usage: python tests/bench/web_layer.py DIR/bench.db [--classes rare,quote] [--rounds 3]
"""

import argparse
import asyncio
import os
import statistics
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.in_process import bench_queries  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("db", type=Path)
    ap.add_argument("--classes", default="rare,quote")
    ap.add_argument("--per-class", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    os.environ.update(
        TALKS_DB=f"sqlite:///{args.db}", TALKS_SEMANTIC="false", TALKS_SLOW_QUERY_MS="100000"
    )
    from app.main import create_app
    from app.web.api import search_out
    from app.web.searching import SearchRequest, run_search

    app = create_app()
    queries = [q for c in args.classes.split(",") for q in bench_queries(args.per_class)[c]]

    async def through_asgi(q: str) -> None:
        query = urllib.parse.urlencode({"q": q, "limit": 10}).encode()
        scope: dict[str, Any] = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": "GET", "scheme": "http", "path": "/api/search",
            "raw_path": b"/api/search", "query_string": query, "root_path": "",
            "headers": [(b"host", b"127.0.0.1:8000")], "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000), "state": {},
        }  # fmt: skip

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and message["status"] != 200:
                sys.exit(f"/api/search answered {message['status']} to {q!r}")

        await app(scope, receive, send)

    def direct(q: str) -> None:
        page = run_search(
            app.state.search_service,
            app.state.store,
            app.state.catalogue.current(),
            SearchRequest(q=q, limit=10),
        )
        search_out(page, 10, 0, "http://127.0.0.1:8000").model_dump_json().encode()

    async def measure() -> None:
        async with app.router.lifespan_context(app):
            for q in queries:  # warm up: each query once both ways
                await through_asgi(q)
                direct(q)
            asgi: list[float] = []
            alone: list[float] = []
            for r in range(args.rounds):
                for i, q in enumerate(queries):
                    for way in (0, 1) if (i + r) % 2 else (1, 0):
                        began = time.perf_counter()
                        if way == 0:
                            await through_asgi(q)
                        else:
                            direct(q)
                        (asgi if way == 0 else alone).append(1000 * (time.perf_counter() - began))
            added = [a - d for a, d in zip(asgi, alone, strict=True)]
            print(
                f"{len(queries)} queries x {args.rounds}: /api/search through ASGI p50 "
                f"{statistics.median(asgi):.2f} ms, called directly {statistics.median(alone):.2f}"
                f" ms, added p50 {statistics.median(added):.2f} ms"
            )

    asyncio.run(measure())


if __name__ == "__main__":
    main()
