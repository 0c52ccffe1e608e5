"""End to end with the real model: `talks ingest` embeds the talks (and only the ones that
changed), `talks serve` answers mode=meaning, the blend and related moments over HTTP, and
`talks reindex --semantic` rebuilds the vectors; the same server with the setting off says
semantic search is off."""

import json
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from app.search.meaning.embedder import ModelRefused, model_files
from tests.e2e.test_cli_http import run_talks
from tests.search.test_meaning import LINES, write_talks
from tests.servers import talks_server

pytestmark = pytest.mark.e2e
ON = {"TALKS_SEMANTIC": "true"}


@pytest.fixture(autouse=True)
def model_installed() -> None:
    try:
        model_files()
    except ModelRefused as exc:
        pytest.skip(f"{exc}: `make test` installs it (make semantic)")


def get_json(base: str, path: str, **params: object) -> dict:
    url = f"{base}{path}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def test_ingest_embeds_what_changed_and_serve_finds_by_meaning(db_url: str, tmp_path: Path) -> None:
    folder = write_talks(tmp_path / "talks", LINES)
    first = run_talks("ingest", str(folder), db=db_url, env=ON)
    assert first.returncode == 0, first.stderr
    assert "meaning vectors: 3 talks embedded" in first.stdout
    again = run_talks("ingest", str(folder), db=db_url, env=ON)
    assert again.returncode == 0 and "meaning vectors" not in again.stdout
    write_talks(folder, {"sunday-bread": LINES["sunday-bread"][:5]})
    changed = run_talks("ingest", str(folder), db=db_url, env=ON)
    assert "meaning vectors: 1 talks embedded" in changed.stdout

    with talks_server(db_url, tmp_path / "serve.log", env=ON) as base:
        found = get_json(base, "/api/search", q="feeling burned out at work", mode="meaning")
        assert found["semantic"] == "on" and found["mode"] == "meaning"
        assert found["hits"][0]["talk"]["slug"] == "tired-team"
        assert {h["match"] for h in found["hits"]} == {"meaning"}

        blended = get_json(base, "/api/search", q="how do they treat job applicants")
        assert blended["blended"] and blended["hits"][0]["talk"]["slug"] == "hiring-loop"

        quote = get_json(base, "/api/search", q="the recruiter read each resume before")
        assert not quote["blended"] and quote["hits"][0]["match"] == "words"
        assert quote["hits"][0]["start"] == 25.0

        related = get_json(base, "/api/talks/hiring-loop/related", t=30)
        assert related["semantic"] == "on" and related["hits"]
        assert "hiring-loop" not in {h["talk"]["slug"] for h in related["hits"]}

        page = urllib.request.urlopen(f"{base}/talks/tired-team?t=25", timeout=30).read()
        assert b"Related moments in other talks" in page


def test_reindex_semantic_rebuilds_and_off_says_so(db_url: str, tmp_path: Path) -> None:
    folder = write_talks(tmp_path / "talks", LINES)
    assert run_talks("ingest", str(folder), db=db_url).returncode == 0  # setting off: no vectors
    rebuilt = run_talks("reindex", "--semantic", db=db_url, env=ON)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "meaning vectors: 3 talks embedded" in rebuilt.stdout
    refused = run_talks("reindex", "--semantic", db=db_url)
    assert refused.returncode != 0
    assert "semantic search is off (TALKS_SEMANTIC=false)" in refused.stderr

    with talks_server(db_url, tmp_path / "serve.log") as base:
        off = get_json(base, "/api/search", q="feeling burned out", mode="meaning")
        assert off["semantic"].startswith("Semantic search is off")
        assert any(n.startswith("Semantic search is off") for n in off["notes"])
        related = get_json(base, "/api/talks/hiring-loop/related", t=30)
        assert related["hits"] == [] and related["semantic"] != "on"
