"""Stores transcripts: one transaction per talk, keyed by slug and a content hash, so a rerun
over unchanged files writes nothing and a changed file replaces its talk whole."""

import hashlib
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, delete, insert, select

from app.ingest.detect import decode, reader_for
from app.ingest.sidecar import apply_sidecar, read_sidecar, sidecar_for
from app.ingest.transcript import Transcript, TranscriptError
from app.models import Chapter, Passage, Segment, Talk
from app.search import term_stats, vocabulary
from app.search.analysis import stem, words
from app.search.engine import SearchEngine
from app.search.passages import passage_spans

log = logging.getLogger(__name__)

READER_VERSION = "4"  # bump when readers or analysis change, so every talk is rebuilt
MAX_FILE_BYTES = 64 * 1024 * 1024  # ten hours of captions is about 1 MiB
_SLUG_RUN = re.compile(r"[^a-z0-9]+")


def slugify(stem: str) -> str:
    """File stem -> slug: lower case, each run of other characters than a-z0-9 becomes '-'."""
    slug = _SLUG_RUN.sub("-", stem.lower())
    return slug if slug.strip("-") else "talk-" + hashlib.sha1(stem.encode()).hexdigest()[:8]


@dataclass
class IngestReport:
    files: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    segments: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class _Prepared:
    transcript: Transcript
    slug: str
    content_hash: str
    source: Path


def load_files(
    engine: Engine,
    search_engine: SearchEngine,
    files: Iterable[Path],
    on_file: Callable[[Path], None] = lambda _p: None,
) -> IngestReport:
    report = IngestReport()
    slugs_in_batch: dict[str, Path] = {}
    for path in files:
        report.files += 1
        try:
            outcome = _load_one(engine, search_engine, path, slugs_in_batch, report)
        except TranscriptError as exc:
            report.failed += 1
            where = f"{path}:{exc.line}" if exc.line else str(path)
            report.errors.append(f"{where}: {exc.message}")
        except OSError as exc:
            report.failed += 1
            report.errors.append(f"{path}: cannot read: {exc.strerror or exc}")
        else:
            setattr(report, outcome, getattr(report, outcome) + 1)
        on_file(path)
    return report


def _load_one(
    engine: Engine,
    search_engine: SearchEngine,
    path: Path,
    slugs_in_batch: dict[str, Path],
    report: IngestReport,
) -> str:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise TranscriptError(f"file larger than {MAX_FILE_BYTES // 2**20} MiB")
    data = path.read_bytes()
    sidecar = sidecar_for(path)
    sidecar_bytes = sidecar.read_bytes() if sidecar else b""
    digest = hashlib.sha256(
        READER_VERSION.encode() + b"\0" + data + b"\0" + sidecar_bytes
    ).hexdigest()
    meta = read_sidecar(sidecar) if sidecar else {}
    slug = str(meta.get("slug") or "") or slugify(path.stem)
    slug = slugify(slug) if meta.get("slug") else slug
    if slug in slugs_in_batch:
        raise TranscriptError(f"slug {slug!r} is already taken by {slugs_in_batch[slug]}")
    slugs_in_batch[slug] = path

    with engine.connect() as conn:
        row = conn.execute(select(Talk.content_hash).where(Talk.slug == slug)).first()
    if row is not None and row[0] == digest:
        return "unchanged"

    text = decode(data)
    transcript = reader_for(path, text)(text, path)
    apply_sidecar(transcript, meta)
    outcome = _store(engine, search_engine, _Prepared(transcript, slug, digest, path))
    if outcome != "unchanged":
        report.segments += len(transcript.segments)
    return outcome


def _store(engine: Engine, search_engine: SearchEngine, item: _Prepared) -> str:
    """Replace-or-insert one talk in a single transaction: "new", "updated" or "unchanged"
    (another ingest stored the same content meanwhile)."""
    tr = item.transcript
    seg_words = [words(s.text) for s in tr.segments]
    seg_terms = [[stem(w) for w in ws] for ws in seg_words]
    counts = [len(w) for w in seg_words]
    last = tr.segments[-1]
    duration = tr.duration or max(last.end or 0.0, last.start + counts[-1] / 2.5)

    with engine.begin() as conn:
        old = conn.execute(select(Talk.id, Talk.content_hash).where(Talk.slug == item.slug)).first()
        old_id = old[0] if old else None
        if old is not None and old[1] == item.content_hash:
            return "unchanged"
        if old_id is not None:
            old_texts = conn.execute(select(Segment.text).where(Segment.talk_id == old_id))
            vocabulary.remove_words(conn, Counter(w for (t,) in old_texts for w in words(t)))
            old_terms = conn.execute(select(Passage.terms).where(Passage.talk_id == old_id))
            term_stats.remove(conn, term_stats.passage_terms(t for (t,) in old_terms))
            search_engine.remove_talk(conn, old_id)
            conn.execute(delete(Talk).where(Talk.id == old_id))
        talk_id = conn.execute(
            insert(Talk).values(
                slug=item.slug,
                title=tr.title or item.source.stem,
                date=tr.date,
                speakers=tr.speakers,
                description=tr.description,
                topics=tr.topics,
                youtube_id=tr.youtube_id,
                video_url=tr.video_url,
                media_url=tr.media_url,
                source_path=str(item.source),
                source_format=tr.format,
                content_hash=item.content_hash,
                duration=duration,
                segment_count=len(tr.segments),
                word_count=sum(counts),
            )
        ).inserted_primary_key[0]
        offset = 0
        seg_rows = []
        for ordinal, (seg, n) in enumerate(zip(tr.segments, counts, strict=True)):
            seg_rows.append(
                dict(
                    talk_id=talk_id,
                    ord=ordinal,
                    start=seg.start,
                    end=seg.end,
                    speaker=seg.speaker,
                    text=seg.text,
                    word_offset=offset,
                    word_count=n,
                )
            )
            offset += n
        conn.execute(insert(Segment), seg_rows)
        if tr.chapters:
            conn.execute(
                insert(Chapter),
                [
                    dict(talk_id=talk_id, ord=i, title=c.title, start=c.start)
                    for i, c in enumerate(tr.chapters)
                ],
            )
        flat_terms = [t for seg in seg_terms for t in seg]
        fallback_speakers = ", ".join(tr.speakers)
        spans = passage_spans(counts)
        passage_rows = []
        for span in spans:
            names = {
                tr.segments[i].speaker
                for i in range(span.first_segment, span.last_segment + 1)
                if tr.segments[i].speaker
            }
            passage_rows.append(
                dict(
                    talk_id=talk_id,
                    word_start=span.word_start,
                    word_end=span.word_end,
                    first_segment=span.first_segment,
                    last_segment=span.last_segment,
                    speakers=(", ".join(sorted(names)) or fallback_speakers).lower(),
                    terms=" ".join(flat_terms[span.word_start : span.word_end]),
                )
            )
        fts_rows = []
        if passage_rows:
            ids = conn.execute(
                insert(Passage).returning(Passage.id, sort_by_parameter_order=True),
                passage_rows,
            ).scalars()
            fts_rows = [(pid, row["terms"]) for pid, row in zip(ids, passage_rows, strict=True)]
        if fts_rows:
            search_engine.add_passages(conn, fts_rows)
        vocabulary.add_words(conn, Counter(w for ws in seg_words for w in ws))
        term_stats.add(conn, term_stats.passage_terms(row["terms"] for row in passage_rows))
    return "updated" if old_id is not None else "new"
