"""A finished archive on a read-only volume is served as it is: opened immutable, searched and
shown; writing to it is refused with one line."""

import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from app.config import Settings
from app.main import create_app
from app.store import StoreError, open_store
from tests.conftest import SAMPLE, SAMPLE_SLUG, ingest


@pytest.fixture
def archive(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'talks.db'}"
    store = open_store(url)
    ingest(store, SAMPLE)
    store.dispose()  # the last connection checkpoints the write-ahead log into the file
    return url


def test_a_read_only_archive_is_searched_and_shown(archive: str, tmp_path: Path) -> None:
    before = sorted(p.name for p in tmp_path.iterdir())
    app = create_app(Settings(db=archive + "?mode=ro", index_dir=str(tmp_path / "ix")))
    with TestClient(app) as client:
        body = client.get("/api/search", params={"q": '"go far go together"'}).json()
        assert body["hits"][0]["start"] == 1244.0
        assert client.get(f"/talks/{SAMPLE_SLUG}", params={"t": 1244}).status_code == 200
        assert client.get("/talks").status_code == 200
    app.state.store.dispose()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "ix") == before  # no -wal/-shm


def test_writing_to_it_is_refused_in_one_line(archive: str, tmp_path: Path) -> None:
    store = open_store(archive + "?mode=ro")
    try:
        assert store.read_only
        with pytest.raises(StoreError, match="read-only"), store.write():
            pass
    finally:
        store.dispose()
    new = tmp_path / "new.txt"
    new.write_text("0:01 a talk that cannot be added\n")
    result = CliRunner().invoke(cli, ["ingest", str(new), "--db", archive + "?mode=ro"])
    assert result.exit_code == 2
    assert "read-only" in result.output and "Traceback" not in result.output


def test_a_file_it_may_not_write_is_opened_read_only(
    archive: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda path, mode: False if mode == os.W_OK else real_access(path, mode)
    )
    store = open_store(archive)  # as on a read-only volume (root writes anywhere otherwise)
    try:
        assert store.read_only
        with store.snapshot() as snapshot:
            assert snapshot.transcript_hash(str(SAMPLE.resolve()))
    finally:
        store.dispose()
