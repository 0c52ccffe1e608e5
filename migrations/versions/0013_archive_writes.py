"""A count of the statements that wrote the talks, kept by the database itself: PostgreSQL
snapshots read it as they begin, and what a search reads again and again (the passages per
term, the archive's totals) is read once per count, not once per search. A trigger, not the
store, bumps it, so a talk changed by hand (psql) is seen as well. SQLite has no need: its
connections learn of other writers from `PRAGMA data_version`.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

BUMP = """
CREATE FUNCTION talks_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE archive_changes SET writes = writes + 1;
    RETURN NULL;
END $$
"""
TABLES = ("talks", "term_passages")


def upgrade() -> None:
    op.add_column(
        "archive_changes",
        sa.Column("writes", sa.BigInteger, nullable=False, server_default="0"),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(BUMP)
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_written AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION talks_written()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_written ON {table}")
        op.execute("DROP FUNCTION talks_written()")
    with op.batch_alter_table("archive_changes") as batch:
        batch.drop_column("writes")
