"""`talks backup`: a consistent copy of a SQLite archive in use; a clear line otherwise."""

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.store import Store, StoreError, open_store
from tests.conftest import BACKENDS, SAMPLE, ingest, table_rows


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


def test_a_backup_is_the_archive_as_it_was_while_it_is_in_use(
    db: Store, tmp_path: Path, backend: str
) -> None:
    ingest(db, SAMPLE)
    dest = tmp_path / "copy.db"
    if backend != "sqlite":
        with pytest.raises(StoreError, match="pg_dump"):
            db.backup(dest)
        assert not dest.exists()
        return
    with db.snapshot() as reading:  # a search in progress
        reading.rows("SELECT count(*) FROM passages")
        with db.write() as writer:  # and an ingest committing meanwhile
            writer.execute("INSERT INTO vocabulary(word, count) VALUES (?, ?)", ("zzz", 1))
        size = db.backup(dest)
    assert size == dest.stat().st_size > 0
    with sqlite3.connect(dest) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        for sql in ("SELECT count(*) FROM segments", "SELECT count(*) FROM vocabulary"):
            assert copy.execute(sql).fetchall() == table_rows(db, sql)
    restored = open_store(f"sqlite:///{dest}")
    try:
        assert table_rows(restored, "SELECT slug FROM talks") == table_rows(
            db, "SELECT slug FROM talks"
        )
    finally:
        restored.dispose()
    with pytest.raises(StoreError, match="already exists"):
        db.backup(dest)  # never over another file


def test_backup_command_says_where_in_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'talks.db'}"
    store = open_store(url)
    ingest(store, SAMPLE)
    store.dispose()
    runner = CliRunner()
    made = runner.invoke(cli, ["backup", str(tmp_path / "b.db"), "--db", url])
    assert made.exit_code == 0 and f"to {tmp_path / 'b.db'}" in made.output
    again = runner.invoke(cli, ["backup", str(tmp_path / "b.db"), "--db", url])
    assert again.exit_code == 2
    assert again.output.strip().splitlines() == [
        f"error: {tmp_path / 'b.db'} already exists: choose a new file for the backup"
    ]
    assert not list(tmp_path.glob("*.partial"))
