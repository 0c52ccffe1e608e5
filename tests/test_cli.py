"""The `talks` command meets a damaged or foreign archive with one line saying what happened and
what to do, on every command; `--debug` shows the traceback instead."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.config import get_settings
from app.store import open_store
from tests.conftest import SAMPLE, ingest


def damaged(tmp_path: Path, kind: str) -> str:
    path = tmp_path / f"{kind}.db"
    if kind == "truncated":  # a real archive cut short, as a full disk or a bad copy leaves it
        url = f"sqlite:///{tmp_path / 'whole.db'}"
        store = open_store(url)
        ingest(store, SAMPLE)
        store.dispose()
        path.write_bytes((tmp_path / "whole.db").read_bytes()[:20_000])
    else:  # a file that is no database at all
        path.write_text("name,title\nada,engines\n")
    return f"sqlite:///{path}"


@pytest.mark.parametrize("kind", ["truncated", "foreign"])
@pytest.mark.parametrize(
    "command",
    [["search", "engines"], ["ingest", str(SAMPLE)], ["reindex"], ["prune"], ["serve"]],
)
def test_a_damaged_archive_is_one_line_with_what_to_do(
    tmp_path: Path, kind: str, command: list[str]
) -> None:
    url = damaged(tmp_path, kind)
    result = CliRunner().invoke(cli, [*command, "--db", url])
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith("error: ") and url in line
    assert "restore a backup" in line and "ingest into a new file" in line


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    url = damaged(tmp_path, "foreign")
    result = CliRunner().invoke(cli, ["--debug", "search", "engines", "--db", url])
    assert result.exit_code == 1 and result.exception is not None
    assert "not a database" in str(result.exception)


def test_serve_refuses_a_topic_alias_file_it_cannot_read(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "topics.yaml").write_text("mentoring: [mentorship\n")
    monkeypatch.setenv("TALKS_TOPIC_ALIASES", str(tmp_path / "topics.yaml"))
    get_settings.cache_clear()
    result = runner.invoke(cli, ["serve", "--port", "1"])
    assert result.exit_code == 2
    assert "cannot read the topic aliases" in result.output and "Traceback" not in result.output
