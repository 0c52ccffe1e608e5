"""Archives made by older versions are upgraded in place. Before several transcripts per talk
(schema 0005): each talk becomes one transcript of itself, its text kept to rebuild the talk
from. Before sound-alike matching (0006): every vocabulary word gets its phonetic keys."""

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from app.ingest.talk_build import segments_of
from app.models import Base
from app.store import open_store
from app.store.base import TranscriptRow
from app.store.sql import alembic_config
from tests.conftest import table_rows

TABLES = set(Base.metadata.tables)


def test_a_0005_archive_gets_one_transcript_per_talk(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0005")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO talks (id, slug, title, speakers, topics, source_path, source_format,"
                " content_hash, segment_count, word_count, passage_count) VALUES (1, 'old-talk',"
                " 'An old talk', :speakers, '[]', '/talks/old.md', 'episode', 'h', 2, 5, 0)"
            ),
            {"speakers": '["Ada"]'},
        )
        conn.execute(
            text(
                "INSERT INTO segments (talk_id, ord, start, speaker, text, word_offset, word_count)"
                " VALUES (1, 0, 0.0, 'Ada', 'analytical engines', 0, 2),"
                " (1, 1, 9.5, 'Ada', 'weave algebraic patterns', 2, 3)"
            )
        )
    engine.dispose()
    store = open_store(url)  # migrates to the newest schema
    try:
        rows = table_rows(store, "SELECT kind, own_slug, talk_slug, source_path FROM transcripts")
        assert rows == [("edited", "old-talk", "old-talk", "/talks/old.md")]
        ids = table_rows(store, "SELECT DISTINCT transcript_id FROM segments")
        assert ids == table_rows(store, "SELECT id FROM transcripts")
        with store.session() as session:
            body = session.execute(text("SELECT body, kind FROM transcripts")).one()
        stored = TranscriptRow("", "", body[1], "", None, "", None, None, None, {}, body[0])
        assert [(s.start, s.text) for s in segments_of(stored)] == [
            (0.0, "analytical engines"),
            (9.5, "weave algebraic patterns"),
        ]
    finally:
        store.dispose()


def test_a_0006_archive_gets_the_sound_of_every_word(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0006")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO vocabulary (word, count) VALUES ('cattle', 2), ('42', 1)"))
    engine.dispose()
    store = open_store(url)  # migrates to the newest schema
    try:
        rows = table_rows(store, "SELECT word, sounds FROM vocabulary ORDER BY word")
        assert rows == [("42", ""), ("cattle", "KTL")]
        with store.snapshot() as snapshot:
            assert ("cattle", 2, "KTL") in snapshot.vocabulary()
    finally:
        store.dispose()


def test_the_migrations_make_the_tables_the_models_describe(tmp_path: Path) -> None:
    """Every column and index of the ORM tables comes from a migration (the FTS tables and the
    counts the engines keep in raw SQL are not the models')."""
    url = f"sqlite:///{tmp_path / 'new.db'}"
    command.upgrade(alembic_config(url), "head")
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={"include_name": lambda name, kind, _p: kind != "table" or name in TABLES},
            )
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()
