"""A disk that fills up during `talks ingest`: the talk being written is rolled back whole, the
ones before it stay, the run stops with a summary of what was stored and what to do."""

import random
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.store import open_store
from app.store import sqlite as sqlite_store
from tests.conftest import table_rows

WORDS = "engine loom pattern algebra number card weave note table machine".split()


def write_talks(folder: Path, count: int) -> list[Path]:
    rng = random.Random(5)
    folder.mkdir()
    paths = []
    for k in range(count):
        lines = [
            f"{i // 60}:{i % 60:02d} "
            + " ".join(rng.choice(WORDS) + str(rng.randrange(999)) for _ in range(8))
            for i in range(0, 3000)
        ]
        path = folder / f"talk{k}.txt"
        path.write_text("\n".join(lines) + "\n")
        paths.append(path)
    return paths


def test_a_full_disk_stops_the_batch_with_a_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'talks.db'}"
    files = write_talks(tmp_path / "talks", 4)
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", str(files[0]), "--db", url]).exit_code == 0
    pages = sqlite3.connect(tmp_path / "talks.db").execute("PRAGMA page_count").fetchone()[0]

    original = sqlite_store._on_connect

    def small_disk(dbapi_connection: object, record: object) -> None:
        original(dbapi_connection, record)
        dbapi_connection.execute(f"PRAGMA max_page_count={pages + 40}")  # type: ignore[attr-defined]

    monkeypatch.setattr(sqlite_store, "_on_connect", small_disk)
    result = runner.invoke(cli, ["ingest", str(tmp_path / "talks"), "--db", url])
    monkeypatch.setattr(sqlite_store, "_on_connect", original)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "not stored: the archive could not be written: database or disk is full" in result.output
    assert (
        "stopped: database or disk is full" in result.output
        and "files were not tried" in result.output
    )
    store = open_store(url)
    try:
        assert table_rows(store, "PRAGMA integrity_check") == [("ok",)]
        assert table_rows(store, "SELECT slug FROM talks") == [("talk0",)]  # nothing half-written
        assert len(table_rows(store, "SELECT id FROM transcripts")) == 1
    finally:
        store.dispose()
