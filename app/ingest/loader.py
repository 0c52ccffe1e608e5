"""Stores transcript files: one transaction per file, keyed by its path and a content hash, so a
rerun over unchanged files writes nothing and a changed file rebuilds its talk whole (with the
talk's other transcripts, app/ingest/talk_build.py)."""

import logging
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from app.ingest.pipeline import prepared_files
from app.ingest.prepare import PreparedFile, prepare_file
from app.ingest.talk_build import build_talk, may_lead
from app.store import Store
from app.store.base import PassageIndex, SlugTaken, TalkBuild, TranscriptRow

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    files: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    segments: int = 0
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the keeper should know: merges
    stopped: str | None = None  # why the batch stopped early (the archive could not be written)
    not_tried: int = 0  # files left when it stopped


def load_files(
    store: Store,
    search_engine: PassageIndex,
    files: Iterable[Path],
    on_file: Callable[[Path], None] = lambda _p: None,
    replace: bool = False,
    ahead: bool | None = None,
    follow_symlinks: bool = False,
) -> IngestReport:
    """`replace`: a file whose slug another file's talk holds replaces that talk (else it is
    refused, so a shared link never silently opens another talk). `ahead`: the next files are
    prepared in another process (None: when the batch is large, app/ingest/pipeline.py)."""
    report = IngestReport()
    files = list(files)
    batch = {str(path.resolve()) for path in files}
    with store.snapshot() as snapshot:
        stored = snapshot.transcript_digests()
    with closing(prepared_files(files, stored, ahead, follow_symlinks)) as prepared:
        for done, ready in enumerate(prepared):
            report.files += 1
            try:
                outcome, ready = _store_one(
                    store, search_engine, ready, replace, batch, follow_symlinks
                )
            except DBAPIError as exc:
                # the archive cannot be written (a full disk, a lost server): this talk was
                # rolled back whole, the ones before it are stored, the rest are not tried
                report.failed += 1
                orig = exc.orig
                reason = str(orig).splitlines()[0] if orig else str(exc).splitlines()[0]
                report.errors.append(
                    f"{ready.path}: not stored: the archive could not be written: {reason}"
                )
                report.stopped = reason
                report.not_tried = len(files) - done - 1
                on_file(ready.path)
                break
            if outcome == "failed":
                report.failed += 1
                report.errors.append(ready.error or f"{ready.path}: not stored")
            else:
                setattr(report, outcome, getattr(report, outcome) + 1)
                if outcome != "unchanged":
                    report.segments += ready.segments
                    report.notes.extend(_merge_note(store, ready))
            on_file(ready.path)
    return report


def _store_one(
    store: Store,
    search_engine: PassageIndex,
    ready: PreparedFile,
    replace: bool,
    batch: frozenset[str] | set[str] = frozenset(),
    follow_symlinks: bool = False,
) -> tuple[str, PreparedFile]:
    """new, updated, unchanged or failed (the file's `error` says why), with the file as it was
    stored."""
    if ready.error:
        return "failed", ready
    with store.snapshot() as snapshot:
        if ready.digest and snapshot.transcript_hash(ready.source) == ready.digest:
            return "unchanged", ready
    if ready.row is None:  # not parsed (unchanged when the batch began) but changed since
        ready = prepare_file(ready.path, None, follow_symlinks)
        if ready.error:
            return "failed", ready
    row = ready.row
    assert row is not None
    with store.snapshot() as snapshot:
        # the same file stored under another path (moved, or named another way) is replaced
        moved = [
            p
            for p in snapshot.transcript_paths(row.own_slug)
            if p != ready.source and (replace or _moved(p, ready.path))
        ]
    try:
        with store.write() as writer:
            outcome = writer.store_transcript(
                row,
                search_engine,
                _builder(row, ready.alone),
                replaces=moved,
                may_lead=lambda new, members: may_lead(new, members, batch),
            )
    except SlugTaken as exc:
        ready.error = f"{ready.path}: {exc}"
        return "failed", ready
    return outcome, ready


def _merge_note(store: Store, ready: PreparedFile) -> list[str]:
    """What the keeper is told when a file became one talk with other transcripts."""
    row = ready.row
    if row is None or not row.talk_slug or not (row.youtube_id or row.media_url or row.talk_key):
        return []
    with store.snapshot() as snapshot:
        others = [p for p in snapshot.transcript_paths(row.talk_slug) if p != ready.source]
    if not others:
        return []
    why = (
        f"YouTube id {row.youtube_id}"
        if row.youtube_id
        else "media URL"
        if row.media_url
        else f"talk key {row.talk_key!r}"
    )
    note = f"{ready.path}: joined the talk {row.talk_slug!r} (same {why})"
    if row.meta.get("follows"):
        note += (
            "; that talk keeps its title and address, as this file comes from another folder "
            "(a `talk:` key in a sidecar, or ingesting both in one command, lets it lead)"
        )
    return [note]


def _builder(
    row: TranscriptRow, alone: TalkBuild | None
) -> Callable[[list[TranscriptRow]], TalkBuild]:
    """build_talk, but the talk the file makes on its own is the one already prepared (its
    segments get the transcript's id, known once it is stored)."""

    def build(members: list[TranscriptRow]) -> TalkBuild:
        if alone is not None and len(members) == 1 and members[0] is row:
            for segment in alone.record.segments:
                segment["transcript_id"] = row.id
            return alone
        return build_talk(members)

    return build


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


def prune(store: Store, search_engine: PassageIndex, sources: Iterable[str]) -> int:
    """Removes these transcripts, one transaction each; returns how many were removed."""
    removed = 0
    for source in sources:
        with store.write() as writer:
            removed += writer.remove_transcript(source, search_engine, build_talk)
    return removed
