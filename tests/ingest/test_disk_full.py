"""A disk that fills up during `talks ingest`: the talk being written is rolled back whole, the
ones before it stay, the run stops with a summary of what was stored and what to do."""

import random
import sqlite3
from collections.abc import Iterator
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


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 3 MB file system (tmpfs), mounted for the test: only root may mount one."""
    import os
    import subprocess

    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root: the full disk is simulated above")
    mount = tmp_path / "small"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip(f"a tmpfs cannot be mounted here: {made.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_real_full_disk_stops_the_batch_with_a_summary(tmp_path: Path, small_disk: Path) -> None:
    url = f"sqlite:///{small_disk / 'talks.db'}"
    files = write_talks(tmp_path / "talks", 6)
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path / "talks"), "--db", url])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "stopped: database or disk is full" in result.output, result.output
    stored = [line for line in result.output.splitlines() if "new" in line]
    assert stored, result.output  # the summary: what was stored, what failed, not reached
    store = open_store(url)
    try:
        assert table_rows(store, "PRAGMA integrity_check") == [("ok",)]
        slugs = {s for (s,) in table_rows(store, "SELECT slug FROM talks")}
        assert slugs < {p.stem for p in files}  # some stored whole, not all
        for slug in slugs:  # each stored talk is whole: all its passages and segments
            (segments,) = table_rows(
                store,
                "SELECT count(*) FROM segments s JOIN talks t ON t.id = s.talk_id WHERE t.slug = ?",
                (slug,),
            )[0]
            assert segments == 3000
    finally:
        store.dispose()
