"""Several `talks serve` nodes on one PostgreSQL database: the same answers from each, and no
failed request while a third process re-ingests changed talks. One node reads through
TALKS_READ_DB (here the same database, standing in for a replica)."""

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.test_cli_http import run_talks
from tests.e2e.test_crash_and_concurrency import TALK_COUNT, check_whole_or_absent, write_batch
from tests.servers import clients_requesting, talks_server

pytestmark = pytest.mark.e2e
QUERIES = [
    "pipeline deploy",
    '"talk 3 line 700"',
    "feature metric review",
    "deploy -train",
    "pipelin*",
    "modle traning",
    "ship OR learn",
]


@pytest.fixture
def backend() -> str:
    return "postgresql"


def answers(base: str) -> list[list[tuple[str, float]]]:
    out = []
    for q in QUERIES:
        url = base + "/api/search?" + urllib.parse.urlencode({"q": q, "limit": 20})
        with urllib.request.urlopen(url, timeout=30) as response:
            hits = json.load(response)["hits"]
        out.append([(h["talk"]["slug"], h["start"]) for h in hits])
    return out


def test_two_nodes_answer_alike_while_a_third_process_ingests(tmp_path: Path, db_url: str) -> None:
    folder = tmp_path / "batch"
    write_batch(folder)
    assert run_talks("ingest", str(folder), db=db_url).returncode == 0
    paths = ["/api/search?q=pipeline+deploy", "/api/search?q=%22talk+1+line%22"]
    paths.append("/talks/talk-01?t=60")
    replica = {"TALKS_READ_DB": db_url}
    with (
        talks_server(db_url, tmp_path / "one.log") as one,
        talks_server(db_url, tmp_path / "two.log", env=replica) as two,
    ):
        assert answers(one) == answers(two)
        with clients_requesting([one, two] * 2, paths) as requests:
            write_batch(folder, version=1)
            ingest = run_talks("ingest", str(folder), db=db_url)
        assert ingest.returncode == 0, ingest.stderr
        assert f"{TALK_COUNT} updated" in ingest.stdout
        assert answers(one) == answers(two)
    assert requests.answered > 20 and requests.failures == []
    assert check_whole_or_absent(db_url) == TALK_COUNT


def test_a_nodes_tantivy_index_follows_ingests_from_another_machine(
    tmp_path: Path, db_url: str
) -> None:
    (tmp_path / "first.txt").write_text("0:01 the first talk about looms\n")
    assert run_talks("ingest", str(tmp_path / "first.txt"), db=db_url).returncode == 0
    node = {"TALKS_ENGINE": "tantivy", "TALKS_INDEX_DIR": str(tmp_path / "node-index")}
    with talks_server(db_url, tmp_path / "node.log", env=node) as base:
        assert answers_for(base, "looms") == [("first", 1.0)]
        # another machine: its own index folder; this node's index only learns from the database
        (tmp_path / "second.txt").write_text("0:02 the second talk about weaving\n")
        other = dict(node, TALKS_INDEX_DIR=str(tmp_path / "other-index"))
        assert (
            run_talks("ingest", str(tmp_path / "second.txt"), db=db_url, env=other).returncode == 0
        )
        for _ in range(600):  # the follower syncs every 5 s: wait for it, at most a minute
            if answers_for(base, "weaving"):
                break
            threading.Event().wait(0.1)
        assert answers_for(base, "weaving") == [("second", 2.0)]


def answers_for(base: str, q: str) -> list[tuple[str, float]]:
    url = base + "/api/search?" + urllib.parse.urlencode({"q": q})
    with urllib.request.urlopen(url, timeout=30) as response:
        return [(h["talk"]["slug"], h["start"]) for h in json.load(response)["hits"]]
