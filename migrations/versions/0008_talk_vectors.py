"""Meaning vectors: one row per talk with an embedding of each of its passages, derived data
kept in step by the talk's content hash (app/search/meaning/vectors.py). Existing archives get theirs at
the next `talks ingest` or `talks reindex --semantic`.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "talk_vectors",
        sa.Column("id", sa.Integer, primary_key=True),  # new on every write: the set's version
        sa.Column(
            "talk_id",
            sa.Integer,
            sa.ForeignKey("talks.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("passage_ids", sa.LargeBinary, nullable=False),  # int64, in word order
        sa.Column("vectors", sa.LargeBinary, nullable=False),  # float16, passages x dimensions
    )


def downgrade() -> None:
    op.drop_table("talk_vectors")
