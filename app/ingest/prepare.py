"""A transcript file made ready to store, outside any transaction: read, hashed, parsed, and built
into the talk it makes on its own. Nothing here touches the archive, so a batch prepares its
next files in another process while this one writes (app/ingest/pipeline.py)."""

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from app.ingest.bounds import vet
from app.ingest.detect import decode, reader_for
from app.ingest.people import resolve_speakers
from app.ingest.sidecar import (
    apply_sidecar,
    chapters_for,
    read_chapters,
    read_sidecar,
    sidecar_for,
)
from app.ingest.talk_build import build_talk, transcript_row
from app.ingest.transcript import TranscriptError
from app.ingest.ytdlp_info import LANGUAGE_SUFFIX, ytdlp_languages
from app.store.base import TalkBuild, TranscriptRow

log = logging.getLogger(__name__)
READER_VERSION = "10"  # bump when readers or analysis change, so every talk is rebuilt
MAX_FILE_BYTES = 64 * 1024 * 1024  # ten hours of captions is about 1 MiB
_SLUG_RUN = re.compile(r"[^a-z0-9]+")


def slugify(stem: str) -> str:
    """File stem -> slug: lower case, each run of other characters than a-z0-9 becomes '-'."""
    slug = _SLUG_RUN.sub("-", stem.lower())
    return slug if slug.strip("-") else "talk-" + hashlib.sha1(stem.encode()).hexdigest()[:8]


@dataclass
class PreparedFile:
    """One file of a batch: `error` when it cannot be read (the line to report); `row` None
    when its content is what the archive held when the batch began (not parsed)."""

    path: Path
    source: str  # the resolved path, as the archive keys it
    digest: str = ""
    row: TranscriptRow | None = None
    alone: TalkBuild | None = None  # the talk this file makes without other transcripts
    segments: int = 0
    error: str | None = None


def prepare_file(
    path: Path, stored_digest: str | None, follow_symlinks: bool = False
) -> PreparedFile:
    """Never raises for a bad file: what is wrong with it comes back as `error`."""
    source = str(path.resolve())
    try:
        return _prepared(path, source, stored_digest, follow_symlinks)
    except TranscriptError as exc:
        where = f"{path}:{exc.line}" if exc.line else str(path)
        return PreparedFile(path, source, error=f"{where}: {exc.message}")
    except OSError as exc:
        return PreparedFile(path, source, error=f"{path}: cannot read: {exc.strerror or exc}")
    except RecursionError:
        return PreparedFile(path, source, error=f"{path}: nested too deeply to read")
    except Exception as exc:  # a reader's bug must cost this file, never the batch
        log.exception("reading %s failed", path)
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        return PreparedFile(path, source, error=f"{path}: cannot read: {reason}")


def _prepared(
    path: Path, source: str, stored_digest: str | None, follow_symlinks: bool
) -> PreparedFile:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise TranscriptError(f"file larger than {MAX_FILE_BYTES // 2**20} MiB")
    data = path.read_bytes()
    sidecar = sidecar_for(path)
    if sidecar is not None and sidecar.is_symlink() and not follow_symlinks:
        # a link may point anywhere (../outside/secret.yaml): its text would be published
        raise TranscriptError(
            f"its sidecar {sidecar.name} is a symbolic link; ingest with --follow-symlinks "
            "to read it"
        )
    chapters = chapters_for(path)
    if chapters is not None and chapters.is_symlink() and not follow_symlinks:
        chapters = None
    sidecar_bytes = sidecar.read_bytes() if sidecar else b""
    chapter_bytes = chapters.read_bytes() if chapters else b""
    digest = hashlib.sha256(
        READER_VERSION.encode() + b"\0" + data + b"\0" + sidecar_bytes + b"\0" + chapter_bytes
    ).hexdigest()
    if digest == stored_digest:
        return PreparedFile(path, source, digest)
    meta = read_sidecar(sidecar) if sidecar else {}
    if meta.get("from_info_json"):
        ytdlp_languages(meta, path.stem)
    stem = LANGUAGE_SUFFIX.sub("", path.stem) if meta.get("from_info_json") else path.stem
    slug = str(meta.get("slug") or "") or slugify(stem).strip("-") or slugify(path.stem)
    slug = slugify(slug) if meta.get("slug") else slug
    text = decode(data)
    transcript = reader_for(path, text)(text, path)
    vet(transcript)
    if chapters is not None and not transcript.chapters:
        transcript.chapters = read_chapters(chapters)
    apply_sidecar(transcript, meta)

    resolve_speakers(transcript, path.parent)
    talk_key = str(meta.get("talk") or transcript.talk_key or "").strip() or None
    row = transcript_row(transcript, Path(source), slug, digest, meta, talk_key)
    return PreparedFile(
        path, source, digest, row, build_talk([row]), segments=len(transcript.segments)
    )
