"""`talks copy`: an archive moved from SQLite to PostgreSQL finds the same moments; a rerun
copies nothing; a changed talk is copied again."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.search.engines.engine import get_engine
from app.search.service import SearchService
from app.store import open_store
from tests.conftest import SAMPLE, ingest, table_rows
from tests.ingest.test_talk_identity import write_pair
from tests.postgres_cluster import PostgresCluster


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'source.db'}"
    store = open_store(url)
    (tmp_path / "talks").mkdir()
    (tmp_path / "talks" / "short.txt").write_text("0:01 a short talk about looms\n")
    write_pair(tmp_path / "talks")  # one talk of two transcripts
    ingest(store, SAMPLE, tmp_path / "talks")
    store.dispose()
    return url


@pytest.fixture
def postgres_url(postgres: PostgresCluster) -> str:
    return postgres.url(postgres.new_database())


def moments(url: str, q: str) -> list[tuple[str, float]]:
    """Every moment holding the words, in order of time (the engines' relevance differs in
    detail); not those whose caption words only sound like them."""
    store = open_store(url)
    try:
        result = SearchService(get_engine(None, url)).search(store, q, limit=100)
        assert result.total < 100
        return sorted((h.talk.slug, h.start) for h in result.hits if h.match == "words")
    finally:
        store.dispose()


def test_copy_to_postgresql_then_again(sqlite_url: str, postgres_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(cli, ["copy", "--from", sqlite_url, "--to", postgres_url])
    assert first.exit_code == 0, first.output
    assert "3 talks: 3 copied, 0 already there; counts match" in first.output
    for q in ('"go far go together"', "looms", "kaggle", "machine learning engineer", "team sword"):
        assert moments(sqlite_url, q) == moments(postgres_url, q), q
    target = open_store(postgres_url)
    try:
        hits = SearchService(get_engine(None, postgres_url)).search(target, "team sword").hits
        (hit,) = [h for h in hits if h.talk.slug == "sorting-in-practice"]
        assert "Timsort" in hit.text and hit.also_in == ["captions"]  # transcripts came along
        assert table_rows(target, "SELECT count(*) FROM transcripts") == [(4,)]
    finally:
        target.dispose()
    again = runner.invoke(cli, ["copy", "--from", sqlite_url, "--to", postgres_url])
    assert "3 talks: 0 copied, 3 already there; counts match" in again.output

    store = open_store(sqlite_url)
    (tmp_path / "talks" / "short.txt").write_text("0:01 a short talk about weaving\n")
    ingest(store, tmp_path / "talks")
    store.dispose()
    changed = runner.invoke(cli, ["copy", "--from", sqlite_url, "--to", postgres_url])
    assert "3 talks: 1 copied, 2 already there; counts match" in changed.output
    assert moments(postgres_url, "weaving") == [("short", 1.0)]
    assert "short" not in {slug for slug, _ in moments(postgres_url, "looms")}


def test_copy_from_a_database_that_cannot_be_opened_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["copy", "--from", "postgresql://nobody@127.0.0.1:1/none", "--to", "sqlite://"]
    )
    assert result.exit_code == 2
    assert result.output.startswith("error: cannot open the archive postgresql://nobody@")
    assert "Connection refused" in result.output and result.output.count("\n") == 1
    assert "Traceback" not in result.output
