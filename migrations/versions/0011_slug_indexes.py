"""Indexes on what an ingest looks transcripts and aliases up by: every file ingested asked for
the transcripts with its own slug (and, when it has one, its media URL), which scanned the whole
table (64 ms a file at 10,000 talks, so an ingest grew with the square of the archive).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_transcripts_own_slug", "transcripts", ["own_slug"])
    op.create_index("ix_transcripts_media_url", "transcripts", ["media_url"])
    op.create_index("ix_talk_aliases_talk_slug", "talk_aliases", ["talk_slug"])


def downgrade() -> None:
    op.drop_index("ix_talk_aliases_talk_slug", "talk_aliases")
    op.drop_index("ix_transcripts_media_url", "transcripts")
    op.drop_index("ix_transcripts_own_slug", "transcripts")
