"""Which files an ingest run reads: folders are walked (no symlink loops), sidecars skipped."""

import os
from collections.abc import Iterable
from pathlib import Path

from app.ingest.detect import TRANSCRIPT_SUFFIXES
from app.ingest.sidecar import SIDECAR_SUFFIXES


def is_sidecar(path: Path) -> bool:
    """YAML beside anything, or JSON beside a transcript of another format, is metadata."""
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return True
    if suffix == ".json":
        return any(
            path.with_suffix(s).is_file() for s in TRANSCRIPT_SUFFIXES if s not in SIDECAR_SUFFIXES
        )
    return False


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
                skipped.extend(f"{Path(root) / d}: a linked folder, not followed" for d in linked)
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in linked)
                for name in sorted(names):
                    file = Path(root) / name
                    if (
                        not name.startswith(".")
                        and file.suffix.lower() in TRANSCRIPT_SUFFIXES
                        and not is_sidecar(file)
                        and file.is_file()
                    ):
                        if file.is_symlink() and not follow_symlinks:
                            skipped.append(f"{file}: a linked file, not read")
                            continue
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
