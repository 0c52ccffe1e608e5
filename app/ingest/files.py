"""Which files an ingest run reads: folders are walked (no symlink loops), sidecars skipped."""

import json
import os
from collections.abc import Iterable
from pathlib import Path

from app.ingest.detect import TRANSCRIPT_SUFFIXES
from app.ingest.sidecar import SIDECAR_SUFFIXES

# Several renderings of one recording (Whisper writes .json .srt .vtt .tsv .txt of each): the
# richest is read (word times > cues > plain text), the others are noted
RICHEST_FIRST = (".json", ".vtt", ".srt", ".txt", ".text", ".captions")


def is_sidecar(path: Path) -> bool:
    """Metadata, not a transcript: YAML beside anything; yt-dlp's `.info.json`; a chapters
    file (`.chapters.json`); JSON that holds no segments beside a transcript of another format."""
    name = path.name.lower()
    if name.endswith((".info.json", ".chapters.json")):
        return True
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return True
    if suffix == ".json":
        beside = any(
            path.with_suffix(s).is_file() for s in TRANSCRIPT_SUFFIXES if s not in SIDECAR_SUFFIXES
        )
        return beside and not _holds_segments(path)
    return False


def is_loose_chapters(path: Path) -> bool:
    """A Podcasting 2.0 chapters file not named after a transcript (`chapters.json`): metadata
    that a folder's ingest skips rather than fails on."""
    if path.suffix.lower() != ".json" or path.name.lower().endswith(".chapters.json"):
        return False
    data = _json_data(path)
    return (
        isinstance(data, dict)
        and isinstance(data.get("chapters"), list)
        and ("segments" not in data)
    )


def _holds_segments(path: Path) -> bool:
    """A JSON transcript (Whisper's, a podcast's): an object with a 'segments' list, or a list."""
    data = _json_data(path)
    return isinstance(data, list) or (isinstance(data, dict) and "segments" in data)


def _json_data(path: Path) -> object:
    """The file's JSON, or None when it cannot be read as JSON (its reader will say why)."""
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None


def richest_renderings(files: list[Path], skipped: list[str]) -> list[Path]:
    """One file of each recording written in several formats (same folder and name): the
    richest; each other one is a line in `skipped`."""
    groups: dict[Path, list[Path]] = {}
    for file in files:
        groups.setdefault(file.with_suffix(""), []).append(file)
    kept: list[Path] = []
    for file in files:
        group = groups[file.with_suffix("")]
        if len(group) == 1:
            kept.append(file)
            continue
        best = min(group, key=_richness)
        if file == best:
            kept.append(file)
        else:
            skipped.append(f"{file}: another rendering of {best.name}, which is read")
    return kept


def _richness(path: Path) -> int:
    suffix = path.suffix.lower()
    return RICHEST_FIRST.index(suffix) if suffix in RICHEST_FIRST else len(RICHEST_FIRST)


def transcript_files(
    paths: Iterable[Path], follow_symlinks: bool = False, skipped: list[str] | None = None
) -> tuple[list[Path], list[str]]:
    """The transcript files under `paths`, sorted, and errors for paths that do not exist.
    Inside a folder, symbolic links (to files or folders) are not followed unless
    `follow_symlinks`: a link may point outside it (../outside/secret.txt), and what is read is
    published. Each link left is a line in `skipped`."""
    found: list[Path] = []
    errors: list[str] = []
    skipped = skipped if skipped is not None else []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            for root, dirs, names in os.walk(path, followlinks=follow_symlinks):
                linked = [d for d in dirs if not follow_symlinks and (Path(root) / d).is_symlink()]
                skipped.extend(
                    f"{Path(root) / d}: a linked folder (--follow-symlinks)" for d in linked
                )
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in linked)
                here: list[Path] = []
                for name in sorted(names):
                    file = Path(root) / name
                    if (
                        not name.startswith(".")
                        and file.suffix.lower() in TRANSCRIPT_SUFFIXES
                        and not is_sidecar(file)
                        and file.is_file()
                    ):
                        if file.is_symlink() and not follow_symlinks:
                            skipped.append(f"{file}: a linked file, not read (--follow-symlinks)")
                            continue
                        if is_loose_chapters(file):
                            skipped.append(
                                f"{file}: a chapters file; named <transcript>.chapters.json it "
                                "gives that transcript its chapters"
                            )
                            continue
                        here.append(file)
                for file in richest_renderings(here, skipped):
                    _add(file, found, seen)
        elif path.is_file():
            if not is_sidecar(path) or path.suffix.lower() == ".json":
                _add(path, found, seen)
        else:
            errors.append(f"{path}: no such file or folder")
    return found, errors


def _add(file: Path, found: list[Path], seen: set[Path]) -> None:
    key = file.resolve()
    if key not in seen:
        seen.add(key)
        found.append(file)
