"""fts5vocab view over the passage index: how many passages hold a term (for relaxed search).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE VIRTUAL TABLE passage_fts_terms USING fts5vocab(passage_fts, 'row')")


def downgrade() -> None:
    op.execute("DROP TABLE passage_fts_terms")
