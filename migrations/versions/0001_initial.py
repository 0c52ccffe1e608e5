"""Initial schema: talks, segments, chapters, passages, vocabulary and, on SQLite, the FTS5
passage index.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "talks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slug", sa.String(200), nullable=False, unique=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("date", sa.Date),
        sa.Column("speakers", sa.JSON, nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("topics", sa.JSON, nullable=False),
        sa.Column("youtube_id", sa.String(32)),
        sa.Column("video_url", sa.Text),
        sa.Column("media_url", sa.Text),
        sa.Column("source_path", sa.Text, nullable=False),
        sa.Column("source_format", sa.String(32), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("duration", sa.Float),
        sa.Column("segment_count", sa.Integer, nullable=False),
        sa.Column("word_count", sa.Integer, nullable=False),
        sa.Column(
            "ingested_at", sa.DateTime, nullable=False, server_default=sa.func.current_timestamp()
        ),
    )
    op.create_table(
        "segments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "talk_id", sa.Integer, sa.ForeignKey("talks.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("ord", sa.Integer, nullable=False),
        sa.Column("start", sa.Float, nullable=False),
        sa.Column("end", sa.Float),
        sa.Column("speaker", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("word_offset", sa.Integer, nullable=False),
        sa.Column("word_count", sa.Integer, nullable=False),
    )
    op.create_index("ix_segments_talk_ord", "segments", ["talk_id", "ord"], unique=True)
    op.create_table(
        "chapters",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "talk_id", sa.Integer, sa.ForeignKey("talks.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("ord", sa.Integer, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("start", sa.Float, nullable=False),
    )
    op.create_index("ix_chapters_talk_ord", "chapters", ["talk_id", "ord"], unique=True)
    op.create_table(
        "passages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "talk_id", sa.Integer, sa.ForeignKey("talks.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("word_start", sa.Integer, nullable=False),
        sa.Column("word_end", sa.Integer, nullable=False),
        sa.Column("first_segment", sa.Integer, nullable=False),
        sa.Column("last_segment", sa.Integer, nullable=False),
        sa.Column("speakers", sa.Text, nullable=False),
    )
    op.create_index("ix_passages_talk", "passages", ["talk_id", "word_start"])
    op.create_table(
        "vocabulary",
        sa.Column("word", sa.String(100), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
    )
    # The full-text index holds each passage's analysed terms (see app/text/analysis.py);
    # its rowid is the passage id. Kept out of autogenerate (migrations/env.py).
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE passage_fts USING fts5("
            "terms, tokenize = 'unicode61 remove_diacritics 0', detail = 'full')"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE passage_fts")
    op.drop_table("vocabulary")
    op.drop_table("passages")
    op.drop_table("chapters")
    op.drop_index("ix_segments_talk_ord", "segments")
    op.drop_table("segments")
    op.drop_table("talks")
