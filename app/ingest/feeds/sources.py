"""What `talks ingest` is given, made into transcript files: folders walked, files kept, feeds
(an address, or a feed file given or met in a folder) fetched into their folders first."""

from dataclasses import dataclass, field
from pathlib import Path

from app.ingest.feeds.mirror import is_feed_address, mirror_feed
from app.ingest.feeds.rss import looks_like_feed
from app.ingest.files import transcript_files

FEED_SUFFIXES = (".xml", ".rss")


@dataclass
class Sources:
    files: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    feeds: int = 0


def is_feed_file(path: Path) -> bool:
    if path.suffix.lower() not in FEED_SUFFIXES:
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return looks_like_feed(head.decode("utf-8", errors="replace"))


def gather_sources(
    arguments: list[str],
    feeds_dir: Path,
    allow_hosts: set[str],
    follow_symlinks: bool = False,
    skipped: list[str] | None = None,
) -> Sources:
    sources = Sources()
    paths = [Path(a) for a in arguments if not is_feed_address(a)]
    found, sources.errors = transcript_files(paths, follow_symlinks, skipped)
    feeds = [a for a in arguments if is_feed_address(a)]
    for file in found:
        if is_feed_file(file):
            feeds.append(str(file))
        else:
            sources.files.append(file)
    named: set[Path] = set()
    for feed in feeds:
        mirrored = mirror_feed(feed, feeds_dir, allow_hosts)
        sources.feeds += 1
        sources.files.extend(mirrored.files)
        sources.errors.extend(mirrored.errors)
        sources.notes.extend(mirrored.notes)
        named |= mirrored.local
    # a transcript beside a feed file that names it is that feed's episode, not a talk of its own
    sources.files = [f for f in sources.files if f.resolve() not in named]
    return sources
