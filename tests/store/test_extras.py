"""A command that needs an extra that is not installed says which one, in one line."""

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.search.engines.engine import get_engine
from app.store import StoreError, connect


def without(monkeypatch: pytest.MonkeyPatch, package: str, *ours: str) -> None:
    """As if `package` were not installed (and our modules importing it not yet imported)."""
    monkeypatch.setitem(sys.modules, package, None)
    for module in ours:
        monkeypatch.delitem(sys.modules, module, raising=False)


def test_postgresql_without_its_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    without(monkeypatch, "psycopg", "app.store.postgres")
    with pytest.raises(StoreError, match=r"needs the postgres extra .*'talks\[postgres\]'"):
        connect("postgresql://talks@127.0.0.1:1/talks")
    result = CliRunner().invoke(cli, ["search", "go", "--db", "postgresql://talks@127.0.0.1:1/x"])
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert line.startswith("error: a PostgreSQL archive needs the postgres extra")


def test_tantivy_without_its_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    without(monkeypatch, "tantivy", "app.search.engines.tantivy_engine")
    with pytest.raises(StoreError, match=r"needs the tantivy extra .*'talks\[tantivy\]'"):
        get_engine("tantivy", f"sqlite:///{tmp_path / 'talks.db'}")
