"""Catalogue reads through SQLAlchemy (both backends): one talk with its chapters and segments,
every talk's metadata for the catalogue, and the archive's version."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer, selectinload

from app.models import ArchiveChanges, Chapter, Talk, TalkAlias
from app.models import Transcript as TranscriptModel


def get_talk(session: Session, slug: str) -> Talk | None:
    return session.scalar(
        select(Talk)
        .where(Talk.slug == slug)
        .options(selectinload(Talk.segments), selectinload(Talk.chapters))
    )


def talk_transcripts(session: Session, slug: str) -> list[TranscriptModel]:
    """A talk's transcripts, each without its stored text (a talk's segments hold it)."""
    return list(
        session.scalars(
            select(TranscriptModel)
            .where(TranscriptModel.talk_slug == slug)
            .options(defer(TranscriptModel.body))
        )
    )


def alias_target(session: Session, slug: str) -> str | None:
    """The slug of the talk an old slug now leads to (after its transcripts merged)."""
    return session.scalar(select(TalkAlias.talk_slug).where(TalkAlias.slug == slug))


def archive_version(session: Session) -> tuple[int, int, int]:
    """Talk count, highest talk id and how many times a talk was written or forgotten: every
    ingest that adds, replaces or removes a talk changes it (on SQLite a talk written again can
    keep its id, and its count and the highest id stay)."""
    changes = select(ArchiveChanges.talk_changes).scalar_subquery()
    row = session.execute(
        select(func.count(Talk.id), func.coalesce(func.max(Talk.id), 0), func.coalesce(changes, 0))
    ).one()
    return int(row[0]), int(row[1]), int(row[2])


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
