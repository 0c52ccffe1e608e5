"""Catalogue reads through SQLAlchemy (both backends): one talk with its chapters and segments,
every talk's metadata for the catalogue, and the archive's version."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.models import Chapter, Talk


def get_talk(session: Session, slug: str) -> Talk | None:
    return session.scalar(
        select(Talk)
        .where(Talk.slug == slug)
        .options(selectinload(Talk.segments), selectinload(Talk.chapters))
    )


def archive_version(session: Session) -> tuple[int, int]:
    """Talk count and highest talk id: every ingest that adds, replaces or removes a talk changes
    it (a replaced talk gets a new id)."""
    row = session.execute(select(func.count(Talk.id), func.coalesce(func.max(Talk.id), 0))).one()
    return int(row[0]), int(row[1])


def talk_cards(session: Session) -> list[dict[str, object]]:
    """Every talk's metadata and chapter titles (not its transcript), for the catalogue."""
    chapters: dict[int, list[tuple[str, float]]] = {}
    for talk_id, title, start in session.execute(
        select(Chapter.talk_id, Chapter.title, Chapter.start).order_by(Chapter.talk_id, Chapter.ord)
    ):
        chapters.setdefault(talk_id, []).append((title, start))
    rows = session.execute(
        select(
            Talk.id,
            Talk.slug,
            Talk.title,
            Talk.date,
            Talk.speakers,
            Talk.topics,
            Talk.description,
            Talk.duration,
            Talk.youtube_id,
            Talk.segment_count,
            Talk.word_count,
        )
    ).mappings()
    return [dict(row, chapters=chapters.get(row["id"], [])) for row in rows]
