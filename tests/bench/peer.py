"""The simple tool a user would run instead of the archive: Datasette over a sqlite-utils FTS5
table of caption lines (one row per transcript line: talk, start, text), built from the same
corpus files the benchmark ingests, served by `datasette serve` and searched with its `_search`
parameter (the query escaped as Datasette does, ranked by FTS5's bm25).

Needs the `bench` extra (`pip install -e '.[bench]'`; `make bench` installs it).
"""

import json
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.servers import free_port

TABLE = "lines"


def build_peer(corpus: Path, db_file: Path) -> float:
    """The FTS5 table of caption lines, as `sqlite-utils insert` + `enable-fts` make it.
    Returns the seconds it took."""
    import sqlite_utils

    began = time.perf_counter()
    db = sqlite_utils.Database(db_file)

    def rows() -> Iterator[dict[str, object]]:
        for path in sorted(corpus.glob("*.json")):
            for line in json.loads(path.read_text(encoding="utf-8")):
                yield {"talk": path.stem, "start": line["start"], "text": line["text"]}

    db[TABLE].insert_all(rows(), batch_size=10_000)
    db[TABLE].enable_fts(["text"], create_triggers=False)
    db.vacuum()
    db.close()
    return time.perf_counter() - began


@contextmanager
def peer_server(db_file: Path, log: Path) -> Iterator[str]:
    """`datasette serve` on a free loopback port, polled until it answers; its base URL."""
    datasette = shutil.which("datasette", path=str(Path(sys.executable).parent))
    if datasette is None:
        sys.exit("datasette is not installed: pip install -e '.[bench]' (make bench does)")
    port = free_port()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [datasette, "serve", "--immutable", str(db_file), "--port", str(port),
             "--host", "127.0.0.1", "--setting", "sql_time_limit_ms", "5000"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"datasette did not start:\n{log.read_text()[-2000:]}")
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def peer_path(db_file: Path, query: str) -> str:
    """The peer's search for `query`: the first 10 matching lines, as JSON."""
    params = urllib.parse.urlencode({"_search": query, "_size": 10, "_shape": "array"})
    return f"/{db_file.stem}/{TABLE}.json?{params}"
