"""Several transcripts per talk: each transcript file's own text and metadata (the source of
truth a talk is rebuilt from), segments tagged with their transcript and aligned word times, and
the slugs a talk was known by before a merge.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

import json
import zlib

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

KIND_OF_FORMAT = {"episode": "edited"}  # anything else stored so far was captions


def upgrade() -> None:
    op.create_table(
        "transcripts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source_path", sa.Text, nullable=False, unique=True),
        sa.Column("talk_slug", sa.String(200), nullable=False, index=True),
        sa.Column("own_slug", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("format", sa.String(32), nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("youtube_id", sa.String(32), index=True),
        sa.Column("media_url", sa.Text),
        sa.Column("talk_key", sa.String(200), index=True),
        sa.Column("meta", sa.JSON, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "talk_aliases",
        sa.Column("slug", sa.String(200), primary_key=True),
        sa.Column("talk_slug", sa.String(200), nullable=False),
    )
    with op.batch_alter_table("segments") as batch:
        batch.add_column(sa.Column("transcript_id", sa.Integer))
        batch.add_column(sa.Column("word_times", sa.Text))
    _backfill()


def _backfill() -> None:
    """One transcript per talk already stored, rebuilt from its rows."""
    conn = op.get_bind()
    talks = conn.execute(
        sa.text(
            "SELECT id, slug, title, date, speakers, description, topics, youtube_id, video_url, "
            "media_url, source_path, source_format, content_hash, duration FROM talks"
        )
    ).mappings()
    for talk in list(talks):
        segments = conn.execute(
            sa.text(
                'SELECT start, "end", speaker, text FROM segments WHERE talk_id = :t ORDER BY ord'
            ),
            {"t": talk["id"]},
        ).all()
        chapters = conn.execute(
            sa.text("SELECT title, start FROM chapters WHERE talk_id = :t ORDER BY ord"),
            {"t": talk["id"]},
        ).all()
        meta = {
            k: (str(talk[k]) if k == "date" and talk[k] is not None else talk[k])
            for k in ("title", "date", "description", "youtube_id", "video_url", "media_url")
        }
        for k in ("speakers", "topics"):
            value = talk[k]
            meta[k] = json.loads(value) if isinstance(value, str) else (value or [])
        meta["duration"] = talk["duration"]
        meta["chapters"] = [[c[0], c[1]] for c in chapters]
        body = zlib.compress(json.dumps([list(s) for s in segments]).encode())
        row = conn.execute(
            sa.text(
                "INSERT INTO transcripts (source_path, talk_slug, own_slug, kind, format, "
                "content_hash, youtube_id, media_url, meta, body) VALUES (:p, :s, :s, :k, :f, "
                ":h, :y, :m, :meta, :b) RETURNING id"
            ),
            {
                "p": talk["source_path"],
                "s": talk["slug"],
                "k": KIND_OF_FORMAT.get(talk["source_format"], "captions"),
                "f": talk["source_format"],
                "h": talk["content_hash"],
                "y": talk["youtube_id"],
                "m": talk["media_url"],
                "meta": json.dumps(meta),
                "b": body,
            },
        ).scalar_one()
        conn.execute(
            sa.text("UPDATE segments SET transcript_id = :r WHERE talk_id = :t"),
            {"r": row, "t": talk["id"]},
        )


def downgrade() -> None:
    with op.batch_alter_table("segments") as batch:
        batch.drop_column("word_times")
        batch.drop_column("transcript_id")
    op.drop_table("talk_aliases")
    op.drop_table("transcripts")
