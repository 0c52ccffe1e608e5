"""The API keeps the contract it publishes: schemathesis generates requests from `talks serve`'s
own /openapi.json (valid and invalid parameters, edge cases, stateful sequences) and runs every
check (no 5xx, status codes and response shapes as documented, 405 with Allow, …)."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SAMPLE
from tests.servers import TALKS, talks_server

pytestmark = pytest.mark.e2e
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.fixture
def server(db_url: str, tmp_path: Path) -> Iterator[str]:
    env = dict(os.environ, TALKS_DB=db_url)
    ingested = subprocess.run([TALKS, "ingest", str(SAMPLE)], env=env, capture_output=True)
    assert ingested.returncode == 0
    with talks_server(db_url, tmp_path / "serve.log") as base:
        yield base


def test_the_api_keeps_its_openapi_contract(server: str) -> None:
    run = subprocess.run(
        [
            str(SCHEMATHESIS), "run", f"{server}/openapi.json",
            "--checks", "all",
            "--max-examples", "25",
            "--seed", "20261125",  # the same requests every run: a failure is reproducible
            "--generation-deterministic",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        env=dict(os.environ, NO_COLOR="1"),
    )  # fmt: skip
    summary = run.stdout[-3000:]
    assert run.returncode == 0, summary
    assert "No issues found" in summary and " passed" in summary
