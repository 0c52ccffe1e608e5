"""End to end: `talks ingest` and `talks serve` as real processes, queried over real HTTP."""

import json
import os
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import EPISODES, SAMPLE, SAMPLE_SLUG, SEED, need_shared
from tests.postgres_cluster import PostgresCluster
from tests.servers import TALKS, free_port, talks_server, wait_until_answering

pytestmark = pytest.mark.e2e


def run_talks(
    *args: str, db: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, **(env or {}), TALKS_DB=db)
    return subprocess.run([TALKS, *args], capture_output=True, text=True, env=env, timeout=300)


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


@pytest.fixture
def server(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A `talks serve` process on a free port, polled until it answers."""
    assert run_talks("ingest", str(SAMPLE), db=db_url).returncode == 0
    with talks_server(db_url, tmp_path / "serve.log") as base:
        yield base


def test_ingest_reports_and_exit_status(db_url: str, tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("0:01 hello there\n")
    (tmp_path / "bad.srt").write_text("this is not\nan srt file\n")
    first = run_talks("ingest", str(tmp_path), "--db", db_url, db=db_url)
    assert first.returncode == 1
    assert f"{tmp_path / 'bad.srt'}:1:" in first.stderr
    assert first.stdout.strip().startswith("2 files: 1 new, 0 updated, 0 unchanged, 1 failed")
    (tmp_path / "bad.srt").unlink()
    again = run_talks("ingest", str(tmp_path), db=db_url)
    assert again.returncode == 0
    assert "0 new, 0 updated, 1 unchanged, 0 failed" in again.stdout


def test_search_command_prints_hits_with_links(db_url: str) -> None:
    assert run_talks("ingest", str(SAMPLE), db=db_url).returncode == 0
    out = run_talks("search", '"go far go together"', db=db_url).stdout
    assert "[20:44]" in out and f"/talks/{SAMPLE_SLUG}?t=1244" in out


def test_serve_answers_search_and_talk_page(server: str) -> None:
    q = urllib.parse.urlencode({"q": '"conference but not really a conference it\'s more like"'})
    body = get_json(f"{server}/api/search?{q}")
    hit = body["hits"][0]
    assert hit["start"] == 11.0 and hit["url"] == f"/talks/{SAMPLE_SLUG}?t=11"
    with urllib.request.urlopen(server + hit["url"], timeout=10) as page:
        html = page.read().decode()
    assert 'data-start="11.0" class="current"' in html


@pytest.mark.corpus
def test_whole_corpus_ingests_and_finds_a_quote(db_url: str) -> None:
    need_shared(EPISODES)
    result = run_talks("ingest", str(EPISODES), str(SEED), db=db_url)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "163 new" in result.stdout
    out = run_talks("search", '"part of LTI at CMU the Language Technologies"', db=db_url).stdout
    assert "applied-llm-research-and-career-growth-in-practice?t=1907" in out


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_stops_cleanly_on_sigterm(db_url: str, tmp_path: Path, workers: int) -> None:
    import signal

    assert run_talks("ingest", str(SAMPLE), db=db_url).returncode == 0
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [TALKS, "serve", "--db", db_url, "--port", str(port), "--workers", str(workers)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/api/talks", proc)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0, log.read_text()[-2000:]
    finally:
        if proc.poll() is None:
            proc.kill()


def test_prune_lists_then_removes_transcripts_whose_files_are_gone(
    db_url: str, tmp_path: Path
) -> None:
    keep, gone = tmp_path / "keep.txt", tmp_path / "gone.txt"
    keep.write_text("0:01 a talk about looms\n")
    gone.write_text("0:01 a talk about engines\n")
    assert run_talks("ingest", str(tmp_path), db=db_url).returncode == 0
    gone.unlink()
    listed = run_talks("prune", db=db_url)
    assert listed.returncode == 0 and f"gone: {gone.resolve()}" in listed.stdout
    assert "--yes removes them" in listed.stdout
    assert run_talks("search", "engines", db=db_url).stdout.startswith("1 hit")
    removed = run_talks("prune", "--yes", db=db_url)
    assert "1 transcripts removed" in removed.stdout
    assert "0 hits" in run_talks("search", "engines", db=db_url).stdout
    assert run_talks("search", "looms", db=db_url).stdout.startswith("1 hit")
    assert "is where it was ingested from" in run_talks("prune", db=db_url).stdout


def test_a_half_sent_request_blocks_nothing_and_is_closed(server: str) -> None:
    import socket

    host, port = urllib.parse.urlsplit(server).netloc.split(":")
    with socket.create_connection((host, int(port))) as slow:
        slow.sendall(b"GET /api/search?q=kaggle HTTP/1.1\r\nHost: a\r\nX-Wait: ")  # no end
        # searches are answered meanwhile
        assert get_json(server + "/api/search?q=kaggle")["hits"]
        # and the server closes the half-sent request (REQUEST_SECONDS) instead of holding it
        slow.settimeout(120)
        assert slow.recv(1024) == b""


def test_links_never_come_from_the_host_header(server: str) -> None:
    forged = {"Host": "evil.example"}
    request = urllib.request.Request(server + "/api/search?q=kaggle", headers=forged)
    with urllib.request.urlopen(request, timeout=10) as response:
        hit = json.load(response)["hits"][0]
    assert hit["absolute_url"] == server + hit["url"]
    page = urllib.request.Request(server + f"/talks/{SAMPLE_SLUG}?t=60", headers=forged)
    with urllib.request.urlopen(page, timeout=10) as response:
        html = response.read().decode()
    assert "evil.example" not in html and f'value="{server}/talks/{SAMPLE_SLUG}?t=60"' in html


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_lets_the_requests_in_progress_finish(
    postgres: PostgresCluster, tmp_path: Path, workers: int
) -> None:
    """A search held inside the database (its table locked by the test) when SIGTERM arrives
    is answered in full once the lock goes; then the server exits 0."""
    import signal
    import threading

    import psycopg

    name = postgres.new_database()
    url = postgres.url(name)
    plain = url.replace("+psycopg", "")
    try:
        assert run_talks("ingest", str(SAMPLE), db=url).returncode == 0
        port = free_port()
        log = tmp_path / "serve.log"
        with log.open("w") as out:
            proc = subprocess.Popen(
                [TALKS, "serve", "--db", url, "--port", str(port), "--workers", str(workers)],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=dict(os.environ, TALKS_QUERY_TIME_LIMIT_MS="600000"),
            )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_answering(base + "/api/talks", proc)
            answer: dict[str, object] = {}

            def ask() -> None:
                try:
                    answer["body"] = get_json_slowly(base + "/api/search?q=kaggle")
                except Exception as exc:  # reported by the assertion below
                    answer["error"] = repr(exc)

            with psycopg.connect(plain) as locker, psycopg.connect(plain, autocommit=True) as look:
                locker.execute("LOCK TABLE passages IN ACCESS EXCLUSIVE MODE")
                asking = threading.Thread(target=ask)
                asking.start()
                until(  # the search waits on the lock inside the server
                    lambda: (
                        look.execute(
                            "SELECT count(*) FROM pg_stat_activity "
                            "WHERE wait_event_type = 'Lock' AND datname = %s",
                            (name,),
                        ).fetchone()[0]  # type: ignore[index]
                        > 0
                    )
                )
                proc.send_signal(signal.SIGTERM)
                until(lambda: "Shutting down" in log.read_text())  # no longer accepting
                locker.rollback()  # the lock goes: the search goes on
            asking.join(timeout=120)
            assert "error" not in answer, answer
            assert answer["body"]["hits"], answer  # type: ignore[index]
            assert proc.wait(timeout=120) == 0, log.read_text()[-2000:]
        finally:
            if proc.poll() is None:
                proc.kill()
    finally:
        postgres.drop_database(name)


def get_json_slowly(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=300) as response:
        return json.load(response)


def until(condition: Callable[[], bool], deadline: float = 120.0) -> None:
    """Wait for an event (polling), failing past `deadline` seconds."""
    import time

    give_up = time.monotonic() + deadline
    while not condition():
        assert time.monotonic() < give_up, "the awaited event never happened"
        time.sleep(0.05)
