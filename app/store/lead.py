"""Which of a talk's transcripts leads it (gives its words, title and slug): the best-worded
kind first, then by file path, so the same files in any order make the same talk. Ingest builds
talks in this order and the talk page lists transcripts in it."""

from collections.abc import Iterable
from typing import Any, Protocol, TypeVar

KINDS = ("edited", "whisper", "captions", "translation")  # best-worded first
HEARING_KINDS = ("whisper", "captions")  # written by a machine that heard the talk


class Provenance(Protocol):
    kind: str
    source_path: str
    meta: dict[str, Any]


P = TypeVar("P", bound=Provenance)


def lead_order(rows: Iterable[P]) -> list[P]:
    """Best-worded first; ties by file path (stored rows or the ORM's transcripts). A transcript
    that joined a talk from elsewhere (`follows`, see may_lead) never leads it."""
    return sorted(
        rows,
        key=lambda r: (
            bool((r.meta or {}).get("follows")),
            KINDS.index(r.kind) if r.kind in KINDS else len(KINDS),
            r.source_path,
        ),
    )
