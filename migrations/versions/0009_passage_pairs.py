"""The FTS5 engine's index of adjacent term pairs (app/search/engines/fts5.py): finds the passages that
may hold a phrase without reading the positions of every passage holding its words. Contentless
(its text is derived from passages.terms), without positions. An existing archive's pairs are
written by the engine's next sync (`talks ingest`, `talks serve` start-up, `talks reindex`).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE passage_pairs USING fts5(pairs, "
            "tokenize = \"unicode61 remove_diacritics 0 tokenchars '_'\", "
            "detail = 'none', content = '')"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE passage_pairs")
