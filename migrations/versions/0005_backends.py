"""Both backends: each talk's passage count (read instead of counting passages per search),
the PostgreSQL passage index (tsvector with positions, GIN), and the unused fts5vocab view gone.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("talks") as batch:
        batch.add_column(
            sa.Column("passage_count", sa.Integer, nullable=False, server_default="0")
        )
    op.execute(
        "UPDATE talks SET passage_count = "
        "(SELECT count(*) FROM passages WHERE passages.talk_id = talks.id)"
    )
    if dialect == "sqlite":
        op.execute("DROP TABLE IF EXISTS passage_fts_terms")
    if dialect == "postgresql":
        # written by app/search/engines/postgres_engine.py; kept out of autogenerate (migrations/env.py)
        op.execute(
            "CREATE TABLE passage_index ("
            "id integer PRIMARY KEY REFERENCES passages(id) ON DELETE CASCADE, "
            "tsv tsvector NOT NULL)"
        )
        # fastupdate (the default): new entries gather in a pending list merged in bulk, a
        # fifth faster to ingest; each ingest ends by merging it (gin_clean_pending_list)
        op.execute("CREATE INDEX ix_passage_index_tsv ON passage_index USING gin (tsv)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE passage_index")
    with op.batch_alter_table("talks") as batch:
        batch.drop_column("passage_count")
