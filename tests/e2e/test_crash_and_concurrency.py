"""Crashes and concurrency with real processes, on both backends: SIGKILL mid-ingest, ingest
while serving, two ingests at once. After each, the database is sound (SQLite's integrity
checks) and every talk is whole or absent."""

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from app.search.engines.engine import get_engine
from app.store import open_store
from tests.conftest import BACKENDS
from tests.e2e.test_cli_http import run_talks
from tests.servers import TALKS, clients_requesting, talks_server

pytestmark = pytest.mark.e2e
TALK_COUNT = 30
LINES = 1500
# one archive per way an index is kept: inside SQLite, inside PostgreSQL, and beside the database
# (tantivy; Whoosh is kept in step by the same DerivedIndex code and its crash repair is the same)
ARCHIVES = [
    ("sqlite", "fts5"),
    ("sqlite", "tantivy"),
    ("postgresql", "postgres"),
]

INDEX_TABLES = {"fts5": "passage_fts", "postgres": "passage_index"}


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


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


def check_whole_or_absent(url: str, engine: str | None = None) -> int:
    """The database is sound, and every talk's counts agree with its rows (and with its index
    rows, for an index written in the talk's transaction). Returns the talk count."""
    store = open_store(url)
    try:
        with store.snapshot() as snapshot:
            rows = snapshot.rows
            if store.backend == "sqlite":
                assert rows("PRAGMA integrity_check") == [("ok",)]
                rows("INSERT INTO passage_fts(passage_fts) VALUES('integrity-check')")
            talks = rows("SELECT id, slug, segment_count FROM talks")
            table = INDEX_TABLES.get(engine or ("fts5" if store.backend == "sqlite" else ""))
            for talk_id, slug, segment_count in talks:
                segments = rows("SELECT count(*) FROM segments WHERE talk_id = ?", (talk_id,))
                assert segments[0][0] == segment_count == LINES, slug
                passages = rows("SELECT count(*) FROM passages WHERE talk_id = ?", (talk_id,))
                assert passages[0][0] > 0, slug
                if table:
                    id_column = "rowid" if table == "passage_fts" else "id"
                    indexed = rows(
                        f"SELECT count(*) FROM {table} WHERE {id_column} IN "
                        "(SELECT id FROM passages WHERE talk_id = ?)",
                        (talk_id,),
                    )
                    assert passages == indexed, slug
        slugs = [slug for _, slug, _ in talks]
        assert len(slugs) == len(set(slugs))
        return len(talks)
    finally:
        store.dispose()


def wait_for_talk_of_version(url: str, version: int, proc: subprocess.Popen) -> None:
    """Poll until a talk of `version` is in the archive or the ingest has ended."""
    sql = "SELECT count(*) FROM segments WHERE ord = 0 AND text LIKE ?"
    while proc.poll() is None:
        try:
            store = open_store(url)
        except Exception:  # the ingest is creating the database: not there yet
            time.sleep(0.05)
            continue
        try:
            while proc.poll() is None:
                with store.snapshot() as snapshot:
                    if snapshot.rows(sql, (f"% v{version}",))[0][0] > 0:
                        return
                time.sleep(0.02)
        finally:
            store.dispose()


def first_line_versions(url: str) -> int:
    store = open_store(url)
    try:
        with store.snapshot() as snapshot:
            sql = (
                "SELECT count(DISTINCT substr(text, length(text) - 1)) FROM segments WHERE ord = 0"
            )
            return snapshot.rows(sql)[0][0]
    finally:
        store.dispose()


@pytest.mark.parametrize(("backend", "engine"), ARCHIVES, ids=[f"{b}-{e}" for b, e in ARCHIVES])
def test_sigkill_mid_ingest_leaves_whole_talks_and_a_rerun_finishes(
    tmp_path: Path, db_url: str, engine: str
) -> None:
    folder = tmp_path / "batch"
    db = db_url
    rng = random.Random(5)
    interrupted = 0  # rounds killed mid-batch: some talks (re)loaded, others not yet
    env = dict(os.environ, TALKS_INDEX_DIR=str(tmp_path / "indexes"))
    for round_ in range(8):
        version = round_ % 3
        write_batch(folder, version=version)  # changed files make replacements happen too
        proc = subprocess.Popen(
            [TALKS, "ingest", str(folder), "--db", db, "--engine", engine],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        # kill once the batch is under way: when the first talk of this version has committed,
        # plus a random moment more
        wait_for_talk_of_version(db, version, proc)
        time.sleep(rng.uniform(0, 0.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        loaded = check_whole_or_absent(db, engine)
        interrupted += 0 < loaded < TALK_COUNT or first_line_versions(db) > 1
    assert interrupted >= 2, "the kills never landed mid-batch: the test proved nothing"
    final = subprocess.run(
        [TALKS, "ingest", str(folder), "--db", db, "--engine", engine],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert final.returncode == 0, final.stderr
    assert check_whole_or_absent(db, engine) == TALK_COUNT
    check_index_matches_database(db, engine, str(tmp_path / "indexes"))


def check_index_matches_database(db: str, engine: str, index_dir: str) -> None:
    """The search index holds exactly the database's passages (for an index outside the
    database, after the sync that every ingest starts and ends with)."""
    store = open_store(db)
    search_engine = get_engine(engine, db, index_dir)
    with store.snapshot() as snapshot:
        passages = snapshot.rows("SELECT count(*) FROM passages")[0][0]
        assert search_engine.count_passages(snapshot) == passages
    assert search_engine.sync(store) == 0  # nothing left to repair
    store.dispose()


def test_ingest_while_serving_never_fails_a_request(tmp_path: Path, db_url: str) -> None:
    folder = tmp_path / "batch"
    write_batch(folder)
    db = db_url
    assert run_talks("ingest", str(folder / "talk-00.txt"), db=db).returncode == 0
    paths = ["/api/search?q=pipeline+deploy", "/api/search?q=%22talk+0+line%22"]
    paths.append("/talks/talk-00?t=60")
    with (
        talks_server(db, tmp_path / "serve.log") as base,
        clients_requesting([base] * 4, paths) as requests,
    ):
        write_batch(folder, version=1)
        ingest = run_talks("ingest", str(folder), db=db)
    assert ingest.returncode == 0, ingest.stderr
    assert requests.answered > 20 and requests.failures == []


def test_two_ingests_at_once(tmp_path: Path, db_url: str) -> None:
    folder = tmp_path / "batch"
    write_batch(folder)
    db = db_url
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
    assert check_whole_or_absent(db) == TALK_COUNT
    summaries = " ".join(out for out, _ in outputs)
    assert "failed" in summaries and " 0 failed" in summaries
