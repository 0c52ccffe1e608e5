"""Phonetic keys beside each vocabulary word, for sound-alike matching of misheard caption
words (app/search/relax/sounds.py). Existing archives get them computed here.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from app.text.phonetic import sound_keys

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade() -> None:
    with op.batch_alter_table("vocabulary") as batch:
        batch.add_column(sa.Column("sounds", sa.Text, nullable=False, server_default=""))
    conn = op.get_bind()
    vocabulary = sa.table("vocabulary", sa.column("word"), sa.column("sounds"))
    words = [w for (w,) in conn.execute(sa.select(vocabulary.c.word))]
    update = (
        vocabulary.update()
        .where(vocabulary.c.word == sa.bindparam("w"))
        .values(sounds=sa.bindparam("s"))
    )
    for i in range(0, len(words), BATCH):
        rows = [{"w": w, "s": sound_keys(w)} for w in words[i : i + BATCH]]
        conn.execute(update, rows)


def downgrade() -> None:
    with op.batch_alter_table("vocabulary") as batch:
        batch.drop_column("sounds")
