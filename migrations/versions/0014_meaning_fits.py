"""The passage model fitted to the archive: every token's vector, fitted so that a passage's
mean token vector lands where the meaning model puts the passage (app/search/meaning/fitted.py).
Passages are embedded with it at ~100x the model's speed; queries still go through the model.
The newest fit of a model is the one in use; archives get one at the next `talks ingest`.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meaning_fits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("base_model", sa.String(64), nullable=False),  # the model it was fitted to
        sa.Column("model", sa.String(64), nullable=False, unique=True),  # the vectors' model
        sa.Column("tokens", sa.LargeBinary, nullable=False),  # float16, vocabulary x dimensions
        sa.Column("sample_passages", sa.Integer, nullable=False),  # passages it was fitted on
        sa.Column("archive_passages", sa.Integer, nullable=False),  # the archive's, then
    )


def downgrade() -> None:
    op.drop_table("meaning_fits")
