"""Document frequency per index term, kept by the loader (see app/store/sql.py).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections import Counter

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "term_passages",
        sa.Column("term", sa.String(100), primary_key=True),
        sa.Column("passages", sa.Integer, nullable=False),
        sqlite_with_rowid=False,
    )
    counts: Counter[str] = Counter()
    for (terms,) in op.get_bind().execute(sa.text("SELECT terms FROM passages")):
        counts.update(set(terms.split()))
    if counts:
        table = sa.table("term_passages", sa.column("term"), sa.column("passages"))
        op.bulk_insert(table, [{"term": t, "passages": n} for t, n in counts.items()])


def downgrade() -> None:
    op.drop_table("term_passages")
