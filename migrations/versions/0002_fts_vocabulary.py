"""Once an fts5vocab view over the passage index; now nothing (0005 drops the view where an
earlier version made it). Kept so archives at this revision still upgrade.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
