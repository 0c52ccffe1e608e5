"""Crashes and concurrency with real processes: SIGKILL mid-ingest, ingest while serving, two
ingests at once. After each, SQLite's integrity check passes and every talk is whole or absent."""

import os
import random
import signal
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from app.db import make_engine
from app.search.engine import ENGINES, get_engine
from tests.e2e.test_cli_http import run_talks
from tests.servers import TALKS, talks_server

pytestmark = pytest.mark.e2e
TALK_COUNT = 30
LINES = 1500


def write_batch(folder: Path, version: int = 0) -> None:
    folder.mkdir(exist_ok=True)
    rng = random.Random(version)
    words = "data model pipeline feature metric deploy train test review ship learn".split()
    for t in range(TALK_COUNT):
        lines = [
            f"{i // 60}:{i % 60:02d} talk {t} line {i} {' '.join(rng.choices(words, k=5))}"
            f" v{version}"
            for i in range(LINES)
        ]
        (folder / f"talk-{t:02d}.txt").write_text("\n".join(lines) + "\n")


def check_whole_or_absent(db_file: Path, engine: str = "fts5") -> int:
    """Integrity check, then every talk's counts agree with its rows (and, for FTS5, its index
    rows: that index is written in the talk's transaction). Returns the talk count."""
    conn = sqlite3.connect(db_file, timeout=30)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("INSERT INTO passage_fts(passage_fts) VALUES('integrity-check')")
        talks = conn.execute("SELECT id, slug, segment_count FROM talks").fetchall()
        for talk_id, slug, segment_count in talks:
            segments = conn.execute(
                "SELECT count(*) FROM segments WHERE talk_id = ?", (talk_id,)
            ).fetchone()[0]
            assert segments == segment_count == LINES, slug
            passages = conn.execute(
                "SELECT count(*) FROM passages WHERE talk_id = ?", (talk_id,)
            ).fetchone()[0]
            assert passages > 0, slug
            if engine == "fts5":
                indexed = conn.execute(
                    "SELECT count(*) FROM passage_fts WHERE rowid IN "
                    "(SELECT id FROM passages WHERE talk_id = ?)",
                    (talk_id,),
                ).fetchone()[0]
                assert passages == indexed, slug
        slugs = [slug for _, slug, _ in talks]
        assert len(slugs) == len(set(slugs))
        return len(talks)
    finally:
        conn.close()


@pytest.mark.parametrize("engine", ENGINES)
def test_sigkill_mid_ingest_leaves_whole_talks_and_a_rerun_finishes(
    tmp_path: Path, engine: str
) -> None:
    folder = tmp_path / "batch"
    db_file = tmp_path / "talks.db"
    db = f"sqlite:///{db_file}"
    rng = random.Random(5)
    interrupted = 0  # rounds killed mid-batch: some talks (re)loaded, others not yet
    for round_ in range(8):
        write_batch(folder, version=round_ % 3)  # changed files make replacements happen too
        proc = subprocess.Popen(
            [TALKS, "ingest", str(folder), "--db", db, "--engine", engine],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(1.2, 4.0))  # past start-up (~1 s), into the batch
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if db_file.exists():
            loaded = check_whole_or_absent(db_file, engine)
            conn = sqlite3.connect(db_file)
            versions = conn.execute(
                "SELECT count(DISTINCT substr(text, -2)) FROM segments WHERE ord = 0"
            ).fetchone()[0]
            conn.close()
            interrupted += 0 < loaded < TALK_COUNT or versions > 1
    assert interrupted >= 2, "the kills never landed mid-batch: the test proved nothing"
    final = run_talks("ingest", str(folder), "--db", db, "--engine", engine, db=db)
    assert final.returncode == 0, final.stderr
    assert check_whole_or_absent(db_file, engine) == TALK_COUNT
    check_index_matches_database(db, engine)


def check_index_matches_database(db: str, engine: str) -> None:
    """The search index holds exactly the database's passages (for an index outside SQLite,
    after the sync that every ingest starts and ends with)."""
    database = make_engine(db)
    search_engine = get_engine(engine, db)
    with database.connect() as conn:
        passages = conn.exec_driver_sql("SELECT count(*) FROM passages").scalar_one()
        assert search_engine.count_passages(conn) == passages
        assert search_engine.sync(conn) == 0  # nothing left to repair
    database.dispose()


def test_ingest_while_serving_never_fails_a_request(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    write_batch(folder)
    db = f"sqlite:///{tmp_path / 'talks.db'}"
    assert run_talks("ingest", str(folder / "talk-00.txt"), db=db).returncode == 0
    failures: list[str] = []
    done = threading.Event()
    answered = [0]

    def client(base: str) -> None:
        paths = [
            "/api/search?q=pipeline+deploy",
            "/api/search?q=%22talk+0+line%22",
            "/talks/talk-00?t=60",
        ]
        while not done.is_set():
            for path in paths:
                try:
                    with urllib.request.urlopen(base + path, timeout=30) as response:
                        response.read()
                        answered[0] += 1
                except urllib.error.HTTPError as exc:
                    failures.append(f"{path}: {exc.code}")
                except OSError as exc:
                    failures.append(f"{path}: {exc}")

    with talks_server(db, tmp_path / "serve.log") as base:
        threads = [threading.Thread(target=client, args=(base,)) for _ in range(4)]
        for t in threads:
            t.start()
        try:
            write_batch(folder, version=1)
            ingest = run_talks("ingest", str(folder), db=db)
        finally:
            done.set()
            for t in threads:
                t.join(30)
    assert ingest.returncode == 0, ingest.stderr
    assert answered[0] > 20 and failures == []


def test_two_ingests_at_once(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    write_batch(folder)
    db_file = tmp_path / "talks.db"
    db = f"sqlite:///{db_file}"
    env = dict(os.environ, TALKS_DB=db)
    procs = [
        subprocess.Popen(
            [TALKS, "ingest", str(folder)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert check_whole_or_absent(db_file) == TALK_COUNT
    summaries = " ".join(out for out, _ in outputs)
    assert "failed" in summaries and " 0 failed" in summaries
