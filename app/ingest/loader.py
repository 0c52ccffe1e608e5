"""Stores transcript files: one transaction per file, keyed by its path and a content hash, so a
rerun over unchanged files writes nothing and a changed file rebuilds its talk whole (with the
talk's other transcripts, app/ingest/talk_build.py)."""

import hashlib
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from app.ingest.detect import decode, reader_for
from app.ingest.people import resolve_speakers
from app.ingest.sidecar import apply_sidecar, read_sidecar, sidecar_for
from app.ingest.talk_build import build_talk, transcript_row
from app.ingest.transcript import TranscriptError
from app.search.engine import SearchEngine
from app.store import Store
from app.store.base import SlugTaken

log = logging.getLogger(__name__)

READER_VERSION = "8"  # bump when readers or analysis change, so every talk is rebuilt
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
    stopped: str | None = None  # why the batch stopped early (the archive could not be written)
    not_tried: int = 0  # files left when it stopped


def load_files(
    store: Store,
    search_engine: SearchEngine,
    files: Iterable[Path],
    on_file: Callable[[Path], None] = lambda _p: None,
    replace: bool = False,
) -> IngestReport:
    """`replace`: a file whose slug another file's talk holds replaces that talk (else it is
    refused, so a shared link never silently opens another talk)."""
    report = IngestReport()
    files = list(files)
    for done, path in enumerate(files):
        report.files += 1
        try:
            outcome = _load_one(store, search_engine, path, report, replace)
        except TranscriptError as exc:
            report.failed += 1
            where = f"{path}:{exc.line}" if exc.line else str(path)
            report.errors.append(f"{where}: {exc.message}")
        except OSError as exc:
            report.failed += 1
            report.errors.append(f"{path}: cannot read: {exc.strerror or exc}")
        except DBAPIError as exc:
            # the archive cannot be written (a full disk, a lost server): this talk was rolled
            # back whole, the ones before it are stored, the rest are not tried
            report.failed += 1
            reason = str(exc.orig).splitlines()[0] if exc.orig else str(exc).splitlines()[0]
            report.errors.append(f"{path}: not stored: the archive could not be written: {reason}")
            report.stopped = reason
            report.not_tried = len(files) - done - 1
            on_file(path)
            break
        else:
            setattr(report, outcome, getattr(report, outcome) + 1)
        on_file(path)
    return report


def _load_one(
    store: Store,
    search_engine: SearchEngine,
    path: Path,
    report: IngestReport,
    replace: bool = False,
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
    source = str(path.resolve())

    with store.snapshot() as snapshot:
        if snapshot.transcript_hash(source) == digest:
            return "unchanged"
        # the same file stored under another path (moved, or named another way) is replaced
        moved = [
            p
            for p in snapshot.transcript_paths(slug)
            if p != source and (replace or _moved(p, path))
        ]

    text = decode(data)
    transcript = reader_for(path, text)(text, path)
    apply_sidecar(transcript, meta)
    resolve_speakers(transcript, path.parent)
    talk_key = str(meta.get("talk") or transcript.talk_key or "").strip() or None
    row = transcript_row(transcript, Path(source), slug, digest, meta, talk_key)
    try:
        with store.write() as writer:
            outcome = writer.store_transcript(row, search_engine, build_talk, replaces=moved)
    except SlugTaken as exc:
        raise TranscriptError(str(exc)) from None
    if outcome != "unchanged":
        report.segments += len(transcript.segments)
    return outcome


def _moved(stored: str, path: Path) -> bool:
    """Whether a stored transcript path is this file (another spelling) or no longer exists."""
    old = Path(stored)
    try:
        return not old.exists() or old.resolve() == path.resolve() or old.samefile(path)
    except OSError:
        return False


def vanished_sources(store: Store) -> list[str]:
    """Stored transcript files that are no longer where they were ingested from."""
    with store.snapshot() as snapshot:
        sources = snapshot.transcript_sources()
    return [source for source in sources if not Path(source).exists()]


def prune(store: Store, search_engine: SearchEngine, sources: Iterable[str]) -> int:
    """Removes these transcripts, one transaction each; returns how many were removed."""
    removed = 0
    for source in sources:
        with store.write() as writer:
            removed += writer.remove_transcript(source, search_engine, build_talk)
    return removed
