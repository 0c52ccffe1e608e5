"""The database helpers the search path relies on."""

from pathlib import Path

from app.db import driver_rows, make_engine, migrate


def test_driver_rows_read_one_snapshot_while_another_connection_commits(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'snap.db'}"
    reader, writer = make_engine(url), make_engine(url, writer=True)
    migrate(writer)
    count_sql = "SELECT count(*) FROM vocabulary"
    with reader.connect() as conn:
        assert driver_rows(conn, count_sql) == [(0,)]
        with writer.begin() as w:
            w.exec_driver_sql("INSERT INTO vocabulary(word, count) VALUES ('new', 1)")
        assert driver_rows(conn, count_sql) == [(0,)]  # still the snapshot it started with
    with reader.connect() as conn:
        assert driver_rows(conn, count_sql) == [(1,)]
    reader.dispose()
    writer.dispose()
