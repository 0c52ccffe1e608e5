"""A count of the talks written and forgotten, read with the archive's versions: SQLite gives a
new row the id of a deleted highest one, so a talk written again (a changed file, a second
transcript) kept its id, and the catalogue's and the meaning vectors' versions (row count and
highest id) did not change: a running server kept showing the old talk.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    changes = op.create_table(
        "archive_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("talk_changes", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(changes, [{"id": 1, "talk_changes": 0}])


def downgrade() -> None:
    op.drop_table("archive_changes")
