"""Folders an attacker could hand the keeper: links that point outside them, a file that claims
another talk's YouTube id, names that hold terminal escapes."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from app.config import Settings
from app.ingest.files import transcript_files
from app.ingest.loader import load_files
from app.main import create_app
from app.store import Store
from tests.conftest import BACKENDS, ingest, search_engine_of, table_rows


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


def test_linked_files_folders_and_sidecars_are_skipped(db: Store, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("0:01 the secret password is swordfish\n")
    (outside / "secret.yaml").write_text("title: the secret password is swordfish\n")
    (outside / "nested").mkdir()
    (outside / "nested" / "more.txt").write_text("0:01 another secret swordfish\n")
    folder = tmp_path / "talks"
    folder.mkdir()
    (folder / "own.txt").write_text("0:01 a talk of the keeper's own\n")
    (folder / "leak.txt").symlink_to(outside / "secret.txt")
    (folder / "linked").symlink_to(outside / "nested")
    (folder / "sided.txt").write_text("0:01 a talk with a linked sidecar\n")
    (folder / "sided.yaml").symlink_to(outside / "secret.yaml")

    skipped: list[str] = []
    files, _ = transcript_files([folder], skipped=skipped)
    assert sorted(p.name for p in files) == ["own.txt", "sided.txt"]
    assert sorted(Path(line.split(":")[0]).name for line in skipped) == ["leak.txt", "linked"]
    report = load_files(db, search_engine_of(db), files)
    assert report.new == 1 and report.failed == 1
    assert "sided.yaml is a symbolic link" in report.errors[0]
    texts = " ".join(t for (t,) in table_rows(db, "SELECT text FROM segments"))
    titles = " ".join(t for (t,) in table_rows(db, "SELECT title FROM talks"))
    assert "swordfish" not in texts + titles

    followed, _ = transcript_files([folder], follow_symlinks=True)
    assert {p.name for p in followed} == {"own.txt", "sided.txt", "leak.txt", "more.txt"}
    again = load_files(db, search_engine_of(db), followed, follow_symlinks=True)
    assert again.failed == 0, again.errors


KEEPERS = """0:01 welcome to the keeper's own talk about sorting
0:05 and this is what the talk says
"""
NEWCOMER = """---
title: 'A talk by someone else'
ids:
  youtube: abcdefghijk
transcript:
- line: Welcome to the keeper's own talk about sorting, and this is what the talk says.
  sec: 1
  who: Mallory
---
"""


def write_keepers(folder: Path, name: str = "keepers-talk") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.txt").write_text(KEEPERS)
    (folder / f"{name}.yaml").write_text("title: The keeper's talk\nyoutube_id: abcdefghijk\n")
    return folder / f"{name}.txt"


def test_a_file_from_elsewhere_joins_a_talk_but_does_not_take_it_over(
    db: Store, tmp_path: Path
) -> None:
    write_keepers(tmp_path / "archive" / "talks")
    assert ingest(db, tmp_path / "archive").new == 1
    (tmp_path / "downloads").mkdir()
    (tmp_path / "downloads" / "takeover.md").write_text(NEWCOMER)
    report = ingest(db, tmp_path / "downloads")
    assert report.failed == 0 and report.updated == 1
    assert table_rows(db, "SELECT slug, title FROM talks") == [
        ("keepers-talk", "The keeper's talk")
    ]
    assert table_rows(db, "SELECT slug FROM talk_aliases WHERE talk_slug = 'takeover'") == []
    (note,) = report.notes
    assert "takeover.md: joined the talk 'keepers-talk' (same YouTube id abcdefghijk)" in note
    assert "keeps its title and address" in note
    # rerunning either file changes nothing about who leads
    (tmp_path / "downloads" / "takeover.md").write_text(NEWCOMER.replace("Mallory", "Eve"))
    ingest(db, tmp_path / "downloads", tmp_path / "archive")
    assert table_rows(db, "SELECT slug, title FROM talks") == [
        ("keepers-talk", "The keeper's talk")
    ]


def test_an_edited_transcript_beside_the_captions_still_leads(db: Store, tmp_path: Path) -> None:
    captions = write_keepers(tmp_path / "talks")
    ingest(db, captions)
    (tmp_path / "talks" / "edited.md").write_text(NEWCOMER)
    report = ingest(db, tmp_path / "talks" / "edited.md")
    assert table_rows(db, "SELECT slug, title FROM talks") == [("edited", "A talk by someone else")]
    assert "joined the talk 'edited'" in report.notes[0]


def test_an_old_slug_named_talks_redirects_to_the_talk(
    db: Store, db_url: str, tmp_path: Path
) -> None:
    write_keepers(tmp_path / "talks", name="talks")
    ingest(db, tmp_path / "talks")
    (tmp_path / "talks" / "edited.md").write_text(NEWCOMER)
    ingest(db, tmp_path / "talks")
    app = create_app(Settings(db=db_url, index_dir=str(tmp_path / "indexes")))
    with TestClient(app, follow_redirects=False) as client:
        moved = client.get("/talks/talks?t=3")
        assert moved.status_code == 301 and moved.headers["location"] == "/talks/edited?t=3"
        api = client.get("/api/talks/talks")
        assert api.status_code == 301 and api.headers["location"] == "/api/talks/edited"
    app.state.store.dispose()


def test_names_with_control_characters_are_printed_escaped(
    runner: CliRunner, tmp_path: Path
) -> None:
    forged = "evil\x1b[2J\n3 files: 3 new, 0 updated, 0 unchanged, 0 failed\r.txt"
    (tmp_path / forged).write_text("0:01 fine\n0:0x broken\n0:99 bad\n")
    result = runner.invoke(cli, ["ingest", str(tmp_path)])
    assert result.exit_code == 1
    printed = result.output
    assert "\x1b" not in printed and "\r" not in printed
    assert "evil\\x1b[2J\\n3 files" in printed
    assert printed.count("\n3 files:") == 0


def test_follow_symlinks_is_a_flag_of_the_command(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "outside.txt").write_text("0:01 outside the folder\n")
    folder = tmp_path / "talks"
    folder.mkdir()
    (folder / "link.txt").symlink_to(tmp_path / "outside.txt")
    skipped = runner.invoke(cli, ["ingest", str(folder)])
    assert "skipped: " in skipped.output and "a linked file" in skipped.output
    assert "0 files" in skipped.output
    followed = runner.invoke(cli, ["ingest", "--follow-symlinks", str(folder)])
    assert followed.exit_code == 0 and "1 files: 1 new" in followed.output
