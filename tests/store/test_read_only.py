"""A finished archive on a read-only volume is served as it is: opened immutable, searched and
shown; writing to it is refused with one line."""

import os
import shutil
import tempfile
from collections.abc import Callable
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


CHILD_DEADLINE_SECONDS = 300


def _as_unprivileged(work: Callable[[], dict[str, object]]) -> dict[str, object]:
    """`work()` in a child process that runs as `nobody` when this one is root (root writes
    anywhere, so read-only files would prove nothing); as this user otherwise."""
    if os.geteuid() != 0:
        return work()
    import json
    import pwd
    import traceback

    nobody = pwd.getpwnam("nobody")
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop root, do the work, report through the pipe, leave at once
        os.close(read_end)
        try:
            os.setgroups([])
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            outcome = work()
        except BaseException:
            outcome = {"error": traceback.format_exc()}
        with os.fdopen(write_end, "w") as out:
            json.dump(outcome, out)
        os._exit(0)
    os.close(write_end)
    import select
    import signal

    ready, _, _ = select.select([read_end], [], [], CHILD_DEADLINE_SECONDS)
    if not ready:  # a lock another thread held at the fork: fail rather than hang
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        pytest.fail(f"the unprivileged child did not answer within {CHILD_DEADLINE_SECONDS} s")
    with os.fdopen(read_end) as report:
        outcome = json.load(report)
    os.waitpid(pid, 0)
    assert "error" not in outcome, outcome["error"]
    return outcome


def test_an_unprivileged_user_searches_a_read_only_file_in_a_read_only_folder() -> None:
    from app.search.engines.engine import get_engine
    from app.search.service import SearchService

    folder = Path(tempfile.mkdtemp(prefix="talks-ro-"))  # in /tmp: nobody may enter it
    url = f"sqlite:///{folder / 'talks.db'}"
    store = open_store(url)
    ingest(store, SAMPLE)
    # (imported and run once before the fork: the child may not read root's Python)
    expected = len(SearchService(get_engine(None, url)).search(store, "kaggle").hits)
    store.dispose()
    folder.chmod(0o755)
    before = sorted(p.name for p in folder.iterdir())
    (folder / "talks.db").chmod(0o444)
    folder.chmod(0o555)

    def search_then_write() -> dict[str, object]:
        archive = open_store(url)
        try:
            hits = SearchService(get_engine(None, url)).search(archive, "kaggle").hits
            try:
                with archive.write():
                    pass
                refused = ""
            except StoreError as exc:
                refused = str(exc)
            return {"read_only": archive.read_only, "hits": len(hits), "refused": refused}
        finally:
            archive.dispose()

    try:
        outcome = _as_unprivileged(search_then_write)
        assert outcome["read_only"] is True and outcome["hits"] == expected > 0
        assert "read-only" in str(outcome["refused"])
        assert sorted(p.name for p in folder.iterdir()) == before  # no -wal, no -shm
    finally:
        folder.chmod(0o755)
        (folder / "talks.db").chmod(0o644)
        shutil.rmtree(folder)
