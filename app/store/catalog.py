"""Catalogue reads through the ORM (both backends): the list of talks with counts, one talk with
its chapters and segments, and the archive's totals."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.models import Talk


def list_talks(session: Session, limit: int = 100, offset: int = 0) -> tuple[int, list[Talk]]:
    total = session.scalar(select(func.count(Talk.id))) or 0
    talks = session.scalars(
        select(Talk)
        .options(selectinload(Talk.chapters))
        .order_by(Talk.date.desc().nulls_last(), Talk.title)
        .limit(limit)
        .offset(offset)
    ).all()
    return total, list(talks)


def get_talk(session: Session, slug: str) -> Talk | None:
    return session.scalar(
        select(Talk)
        .where(Talk.slug == slug)
        .options(selectinload(Talk.segments), selectinload(Talk.chapters))
    )


def archive_totals(session: Session) -> tuple[int, int, float]:
    """Talks, segments and hours in the archive."""
    row = session.execute(
        select(
            func.count(Talk.id),
            func.coalesce(func.sum(Talk.segment_count), 0),
            func.coalesce(func.sum(Talk.duration), 0.0),
        )
    ).one()
    return int(row[0]), int(row[1]), float(row[2]) / 3600
