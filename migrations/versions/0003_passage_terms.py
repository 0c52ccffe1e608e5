"""Passages keep their index terms in SQLite, so ranking reads them whatever the engine, and an
index that lives outside SQLite can be rebuilt from the database.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("passages") as batch:
        batch.add_column(sa.Column("terms", sa.Text, nullable=False, server_default=""))
    if op.get_bind().dialect.name != "sqlite":
        return  # only SQLite archives predate this column
    op.execute(
        "UPDATE passages SET terms = coalesce("
        "(SELECT terms FROM passage_fts WHERE passage_fts.rowid = passages.id), '')"
    )


def downgrade() -> None:
    with op.batch_alter_table("passages") as batch:
        batch.drop_column("terms")
