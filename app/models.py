"""ORM models: a talk, its transcript segments, chapters, and the passages that are indexed.

The vocabulary and term statistics tables (migrations 0001, 0004) and the engines' own index
tables are written by app/store with plain statements, so they have no classes here."""

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Talk(Base):
    __tablename__ = "talks"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(Text)
    date: Mapped[dt.date | None] = mapped_column(Date)
    speakers: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str | None] = mapped_column(Text)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    youtube_id: Mapped[str | None] = mapped_column(String(32))
    video_url: Mapped[str | None] = mapped_column(Text)
    media_url: Mapped[str | None] = mapped_column(Text)
    source_path: Mapped[str] = mapped_column(Text)
    source_format: Mapped[str] = mapped_column(String(32))
    content_hash: Mapped[str] = mapped_column(String(64))
    duration: Mapped[float | None] = mapped_column(Float)
    segment_count: Mapped[int] = mapped_column(Integer, default=0)
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    passage_count: Mapped[int] = mapped_column(Integer, default=0)
    ingested_at: Mapped[dt.datetime] = mapped_column(
        DateTime, server_default=func.current_timestamp()
    )
    # every search reads the archive's size (talks, words, passages) to know its version and
    # weigh its words: summed over this narrow index instead of every wide talk row (3.4 ms ->
    # 0.4 ms at 10,000 talks; migration 0010)
    __table_args__ = (Index("ix_talks_counts", "word_count", "passage_count"),)

    segments: Mapped[list["Segment"]] = relationship(
        back_populates="talk", order_by="Segment.ord", cascade="all, delete-orphan"
    )
    chapters: Mapped[list["Chapter"]] = relationship(
        back_populates="talk", order_by="Chapter.ord", cascade="all, delete-orphan"
    )


class Segment(Base):
    """One caption line or speaker turn; word_offset is its first word's index in the talk."""

    __tablename__ = "segments"
    __table_args__ = (Index("ix_segments_talk_ord", "talk_id", "ord", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    talk_id: Mapped[int] = mapped_column(ForeignKey("talks.id", ondelete="CASCADE"))
    ord: Mapped[int] = mapped_column(Integer)
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float | None] = mapped_column(Float)
    speaker: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    word_offset: Mapped[int] = mapped_column(Integer)
    word_count: Mapped[int] = mapped_column(Integer)
    transcript_id: Mapped[int | None] = mapped_column(Integer)
    word_times: Mapped[str | None] = mapped_column(Text)  # JSON: each word's aligned second

    talk: Mapped[Talk] = relationship(back_populates="segments")


class Transcript(Base):
    """One transcript file of a talk: its own text and metadata, from which the talk is rebuilt
    whenever one of its transcripts changes. Not tied to the talk's row, which each rebuild
    replaces; grouped by the talk's slug."""

    __tablename__ = "transcripts"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_path: Mapped[str] = mapped_column(Text, unique=True)
    talk_slug: Mapped[str] = mapped_column(String(200), index=True)
    own_slug: Mapped[str] = mapped_column(String(200), index=True)  # this file's slug alone
    kind: Mapped[str] = mapped_column(String(32))  # edited, whisper, captions, translation
    format: Mapped[str] = mapped_column(String(32))
    language: Mapped[str | None] = mapped_column(String(16))
    content_hash: Mapped[str] = mapped_column(String(64))
    youtube_id: Mapped[str | None] = mapped_column(String(32), index=True)
    media_url: Mapped[str | None] = mapped_column(Text, index=True)
    talk_key: Mapped[str | None] = mapped_column(String(200), index=True)
    meta: Mapped[dict] = mapped_column(JSON)  # title, speakers, date, ..., chapters
    body: Mapped[bytes] = mapped_column(LargeBinary)  # zlib JSON [[start, end, speaker, text]]


class TalkAlias(Base):
    """A slug a talk was known by before transcripts merged: it redirects."""

    __tablename__ = "talk_aliases"

    slug: Mapped[str] = mapped_column(String(200), primary_key=True)
    talk_slug: Mapped[str] = mapped_column(String(200), index=True)


class Chapter(Base):
    __tablename__ = "chapters"
    __table_args__ = (Index("ix_chapters_talk_ord", "talk_id", "ord", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    talk_id: Mapped[int] = mapped_column(ForeignKey("talks.id", ondelete="CASCADE"))
    ord: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    start: Mapped[float] = mapped_column(Float)

    talk: Mapped[Talk] = relationship(back_populates="chapters")


class Passage(Base):
    """An indexed window of words [word_start, word_end) over consecutive segments of a talk."""

    __tablename__ = "passages"
    __table_args__ = (Index("ix_passages_talk", "talk_id", "word_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    talk_id: Mapped[int] = mapped_column(ForeignKey("talks.id", ondelete="CASCADE"))
    word_start: Mapped[int] = mapped_column(Integer)
    word_end: Mapped[int] = mapped_column(Integer)
    first_segment: Mapped[int] = mapped_column(Integer)
    last_segment: Mapped[int] = mapped_column(Integer)
    speakers: Mapped[str] = mapped_column(Text, default="")
    terms: Mapped[str] = mapped_column(Text, default="")  # index terms, one per word


class TalkVectors(Base):
    """The meaning vectors of a talk's passages (derived data, migrations/0008)."""

    __tablename__ = "talk_vectors"

    id: Mapped[int] = mapped_column(primary_key=True)
    talk_id: Mapped[int] = mapped_column(ForeignKey("talks.id", ondelete="CASCADE"), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(64))
    passage_ids: Mapped[bytes] = mapped_column(LargeBinary)
    vectors: Mapped[bytes] = mapped_column(LargeBinary)


class MeaningFits(Base):
    """Passage models fitted to a meaning model on the archive's own passages (migrations/0014)."""

    __tablename__ = "meaning_fits"

    id: Mapped[int] = mapped_column(primary_key=True)
    base_model: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(64), unique=True)
    tokens: Mapped[bytes] = mapped_column(LargeBinary)
    sample_passages: Mapped[int] = mapped_column(Integer)
    archive_passages: Mapped[int] = mapped_column(Integer)


class ArchiveChanges(Base):
    """One row: how many times a talk was written or forgotten (migrations/0012). The catalogue
    and the meaning vectors read it with their versions, since SQLite may give a talk written
    again the id it had."""

    __tablename__ = "archive_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    talk_changes: Mapped[int] = mapped_column(BigInteger)
    # statements that wrote the talks (PostgreSQL, by trigger; migrations/0013)
    writes: Mapped[int] = mapped_column(BigInteger, server_default="0")
