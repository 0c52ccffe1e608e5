"""`talks copy`: move an archive to another database (SQLite to PostgreSQL, or back), talk by
talk through the same writer path as ingest, so the target's vocabulary, statistics and search
index are built as they would be by an ingest. Idempotent and resumable: a talk the target
already holds with the same content hash is skipped; an interrupted copy is rerun."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.models import Chapter, Passage, Segment, Talk, TalkAlias
from app.models import Transcript as TranscriptModel
from app.store.base import PassageIndex, Store, TalkRecord, TranscriptRow
from app.store.statements import TRANSCRIPT_FIELDS
from app.text.analysis import words

TALK_COLUMNS = (
    "title",
    "date",
    "speakers",
    "description",
    "topics",
    "youtube_id",
    "video_url",
    "media_url",
    "source_path",
    "source_format",
    "duration",
    "segment_count",
    "word_count",
)
SEGMENT_COLUMNS = (
    "ord",
    "start",
    "end",
    "speaker",
    "text",
    "word_offset",
    "word_count",
    "transcript_id",
    "word_times",
)
PASSAGE_COLUMNS = (
    "word_start",
    "word_end",
    "first_segment",
    "last_segment",
    "speakers",
    "terms",
)


@dataclass
class CopyReport:
    talks: int = 0
    copied: int = 0
    unchanged: int = 0
    mismatches: list[str] = field(default_factory=list)


def read_record(store: Store, slug: str) -> TalkRecord:
    """One talk as ingest would write it."""
    with store.session() as session:
        talk = session.scalars(select(Talk).where(Talk.slug == slug)).one()
        segments = session.scalars(
            select(Segment).where(Segment.talk_id == talk.id).order_by(Segment.ord)
        ).all()
        chapters = session.scalars(
            select(Chapter).where(Chapter.talk_id == talk.id).order_by(Chapter.ord)
        ).all()
        passages = session.scalars(
            select(Passage).where(Passage.talk_id == talk.id).order_by(Passage.id)
        ).all()
        return TalkRecord(
            slug=talk.slug,
            content_hash=talk.content_hash,
            columns={c: getattr(talk, c) for c in TALK_COLUMNS},
            segments=[{c: getattr(s, c) for c in SEGMENT_COLUMNS} for s in segments],
            chapters=[dict(ord=c.ord, title=c.title, start=c.start) for c in chapters],
            passages=[{c: getattr(p, c) for c in PASSAGE_COLUMNS} for p in passages],
            words=Counter(w for s in segments for w in words(s.text)),
        )


def read_transcripts(store: Store, slug: str) -> tuple[list[TranscriptRow], list[tuple[str, str]]]:
    """A talk's transcript rows and the old slugs that lead to it."""
    table = TranscriptModel.__table__
    with store.session() as session:
        found = session.execute(
            select(*(table.c[f] for f in TRANSCRIPT_FIELDS)).where(table.c.talk_slug == slug)
        ).mappings()
        rows = [TranscriptRow(**m) for m in found]
        aliases = session.execute(
            select(TalkAlias.slug, TalkAlias.talk_slug).where(TalkAlias.talk_slug == slug)
        ).all()
    return rows, [(a, b) for a, b in aliases]


def talk_hashes(store: Store) -> dict[str, str]:
    """slug -> content hash of every talk."""
    with store.session() as session:
        return {slug: h for slug, h in session.execute(select(Talk.slug, Talk.content_hash))}


def table_counts(store: Store, slugs: list[str]) -> tuple[int, int, int, int]:
    """Talks, segments, chapters and passages of these talks."""
    with store.session() as session:
        ids = select(Talk.id).where(Talk.slug.in_(slugs)).scalar_subquery()
        return (
            session.scalar(select(func.count()).where(Talk.slug.in_(slugs))) or 0,
            session.scalar(select(func.count(Segment.id)).where(Segment.talk_id.in_(ids))) or 0,
            session.scalar(select(func.count(Chapter.id)).where(Chapter.talk_id.in_(ids))) or 0,
            session.scalar(select(func.count(Passage.id)).where(Passage.talk_id.in_(ids))) or 0,
        )


def copy_archive(
    source: Store,
    target: Store,
    index: PassageIndex,
    on_talk: Callable[[str], None] = lambda _slug: None,
    before: Callable[[int], None] = lambda _total: None,
) -> CopyReport:
    """Copy every talk of `source` the target lacks or holds in another version, then compare
    the two archives' counts for those talks."""
    wanted = talk_hashes(source)
    held = talk_hashes(target)
    report = CopyReport(talks=len(wanted))
    before(len(wanted))
    for slug, content_hash in sorted(wanted.items()):
        if held.get(slug) == content_hash:
            report.unchanged += 1
        else:
            record = read_record(source, slug)
            rows, aliases = read_transcripts(source, slug)
            with target.write() as writer:
                ids = writer.put_transcripts(rows, aliases)
                for segment in record.segments:
                    segment["transcript_id"] = ids.get(segment["transcript_id"])
                writer.replace_talk(record, index)
            report.copied += 1
        on_talk(slug)
    slugs = sorted(wanted)
    names = ("talks", "segments", "chapters", "passages")
    for name, a, b in zip(
        names, table_counts(source, slugs), table_counts(target, slugs), strict=True
    ):
        if a != b:
            report.mismatches.append(f"{name}: {a} in the source, {b} in the target")
    return report
