"""Nearest passages by meaning: exactly, every stored vector in memory, or for a large archive
from the inverted-file index on disk (ivf.py) with the talks written since it beside it.

Exact search reads every vector for every query: one matrix product, of ~186,000 rows at 1,000
hours (the float32 scoring matrix alone is ~290 MB there, beside the float16 vectors' 145 MB);
`make bench` measures it in the "subject" class. How a passage scores is scoring.py's.
"""

import logging
import threading
import time
from pathlib import Path

import numpy as np

from app.search.meaning import ivf
from app.search.meaning.embedder import Embedder, ModelRefused, load_minilm
from app.search.meaning.scoring import (
    BLOCK_ROWS,
    MeaningHit,
    hit_at,
    keep_apart,
    passage_arrays,
    row_of,
    scoring_matrix,
)
from app.search.meaning.vectors import vectors_model
from app.store import Snapshot, Store

log = logging.getLogger(__name__)

SPREAD = 4  # best passages read per passage kept: neighbours of better ones are left out


class VectorIndex:
    """Every passage's vector, in talk and word order, with the scoring matrix built once."""

    def __init__(
        self, rows: list[tuple[int, bytes, bytes]], dimensions: int, block: int = BLOCK_ROWS
    ) -> None:
        self.ids, self.talks, self.vectors = passage_arrays(rows, dimensions)
        # a passage's row by its id: the ids sorted, searched (a dict of every id took ~100
        # bytes a passage)
        self._by_id = np.argsort(self.ids, kind="stable")
        self._sorted_ids = self.ids[self._by_id]
        self._scoring = scoring_matrix(self.vectors, self.talks, block)

    def __len__(self) -> int:
        return len(self.ids)

    def nearest(
        self,
        query: np.ndarray,
        k: int,
        allowed: set[int] | None = None,
        other_than: int | None = None,
    ) -> list[MeaningHit]:
        """The k best passages for a query vector, in talks `allowed` (all when None) and not
        in talk `other_than`; a passage next to a better one (the same stretch of talk, which
        overlaps it) is left out."""
        if not len(self.ids) or k <= 0:
            return []
        scores = self._scoring @ query.astype(np.float32)
        if allowed is not None:
            scores = np.where(np.isin(self.talks, list(allowed)), scores, -np.inf)
        if other_than is not None:
            scores = np.where(self.talks == other_than, -np.inf, scores)
        wide = min(SPREAD * k, len(scores))
        top = np.argpartition(-scores, wide - 1)[:wide]
        top = top[np.argsort(-scores[top], kind="stable")]
        top = top[np.isfinite(scores[top])]
        return [
            hit_at(self.ids, self.talks, self.vectors, row, query, float(scores[row]))
            for row in keep_apart(top.tolist(), k)
        ]

    def passage(self, passage_id: int) -> tuple[np.ndarray, int] | None:
        """A passage's vector and its talk, if the index holds it."""
        row = row_of(self._sorted_ids, self._by_id, passage_id)
        if row is None:
            return None
        return self.vectors[row].astype(np.float32), int(self.talks[row])


class Layers:
    """The index on disk (if any) without the talks changed or gone since it was written,
    and the talks written since, searched exactly: one ranking of both."""

    def __init__(self, base: "ivf.IvfIndex | None", fresh: VectorIndex, left_out: set[int]):
        self.base = base
        self.fresh = fresh
        self.left_out = left_out

    def outside(self) -> int:
        """Passages the index on disk does not answer for: written since, or left out."""
        if self.base is None:
            return len(self.fresh)
        gone = np.isin(self.base.talks, list(self.left_out)).sum() if self.left_out else 0
        return len(self.fresh) + int(gone)

    def nearest(
        self,
        query: np.ndarray,
        k: int,
        allowed: set[int] | None = None,
        other_than: int | None = None,
    ) -> list[MeaningHit]:
        found = self.fresh.nearest(query, k, allowed, other_than)
        if self.base is not None:
            found += self.base.nearest(query, k, allowed, other_than, self.left_out)
            found.sort(key=lambda h: -h.score)
        return found[:k]

    def passage(self, passage_id: int) -> tuple[np.ndarray, int] | None:
        held = self.fresh.passage(passage_id)
        if held is None and self.base is not None:
            held = self.base.passage(passage_id)
            if held is not None and held[1] in self.left_out:
                return None
        return held


class MeaningSearch:
    """The embedder and the vectors of the archive it serves, reloaded when they change: at
    most every RELOAD_SECONDS, as an ingest writes them talk by talk (a reload reads what
    changed, or every vector without an index on disk; a passage gone meanwhile is skipped by
    the search). With `folder`, a large archive's vectors are searched from the index there."""

    RELOAD_SECONDS = 5.0
    name = "meaning"  # as a followed index (engines/derived.py IndexFollower)

    def __init__(self, embedder: Embedder, folder: Path | None = None) -> None:
        self.embedder = embedder
        self.folder = folder
        self._index: Layers | None = None
        self._version: tuple[int, ...] | None = None
        self._loaded_at = 0.0
        self._base: ivf.IvfIndex | None = None
        self._lock = threading.Lock()

    def index(self, snapshot: Snapshot) -> Layers:
        version = snapshot.vectors_version()
        with self._lock:
            due = time.monotonic() - self._loaded_at >= self.RELOAD_SECONDS
            if self._index is None or (version != self._version and due):
                self._index = self._layers(snapshot)
                self._version = version
                self._loaded_at = time.monotonic()
            return self._index

    def _layers(self, snapshot: Snapshot) -> Layers:
        model = vectors_model(snapshot, self.embedder)
        base = self._opened_base(model)
        if base is None:
            return Layers(
                None, VectorIndex(snapshot.talk_vectors(model), self.embedder.dimensions), set()
            )
        now = held_talks(snapshot, model)
        fresh = [tid for tid, h in now.items() if base.talk_hashes.get(tid) != h]
        left_out = {tid for tid, h in base.talk_hashes.items() if now.get(tid) != h}
        rows = snapshot.talk_vectors(model, fresh) if fresh else []
        return Layers(base, VectorIndex(rows, self.embedder.dimensions), left_out)

    def _opened_base(self, model: str) -> "ivf.IvfIndex | None":
        """The index on disk CURRENT names, if it holds this model's vectors (kept open)."""
        path = ivf.current(self.folder)
        if path is None:
            return None
        if self._base is None or self._base.folder != path:
            try:
                self._base = ivf.IvfIndex(path)
            except (ImportError, OSError, ValueError, RuntimeError, KeyError) as exc:
                log.warning("meaning index at %s not read (%s): searching exactly", path, exc)
                return None
        return self._base if self._base.model == model else None

    def refresh(self, store: Store) -> str:
        """Write the index on disk when the archive is large enough and has none of its
        model, or the talks it does not hold reach ivf.REBUILD_SHARE of the passages; one
        line saying so (empty when nothing was written)."""
        if self.folder is None:
            return ""
        with store.snapshot() as snapshot:  # a small archive: no folder, no lock to take
            if snapshot.passage_count() < ivf.IVF_MIN_PASSAGES:
                return ""
        with ivf.writing(self.folder):
            return self._write_if_due(store, self.folder)

    def _write_if_due(self, store: Store, folder: Path) -> str:
        with store.snapshot() as snapshot:
            passages = snapshot.passage_count()
            with self._lock:
                layers = self._layers(snapshot)
            if layers.base is not None and layers.outside() < ivf.REBUILD_SHARE * passages:
                return ""
            model = vectors_model(snapshot, self.embedder)
            held = held_talks(snapshot, model)
            rows = snapshot.talk_vectors(model)
        began = time.perf_counter()
        ivf.write_index(folder, rows, self.embedder.dimensions, model, held)
        with self._lock:
            self._index = None
        count = sum(len(ids) // 8 for _, ids, _ in rows)
        return f"meaning index: {count} passages written in {time.perf_counter() - began:.1f}s"

    def sync(self, store: Store) -> int:
        """The follower's round: the index on disk written again when due (1), else 0."""
        written = self.refresh(store)
        if written:
            log.info("%s", written)
        return int(bool(written))

    def embed_query(self, text: str) -> np.ndarray:
        return self.embedder.embed([text])[0]


def held_talks(snapshot: Snapshot, model: str) -> dict[int, str]:
    """talk id -> content hash of the talks whose stored vectors are this model's and of
    their current content (those talk_vectors gives)."""
    vector_hashes = snapshot.vector_hashes()
    return {
        tid: h for tid, h in snapshot.talk_hashes().items() if vector_hashes.get(tid) == (h, model)
    }


OFF_BY_SETTING = "semantic search is off (TALKS_SEMANTIC=false)"


def load_meaning(enabled: bool, folder: Path | None = None) -> tuple[MeaningSearch | None, str]:
    """Meaning search with the installed model (its index on disk in `folder`, for a large
    archive), or None and why not (one line)."""
    if not enabled:
        return None, OFF_BY_SETTING
    try:
        return MeaningSearch(load_minilm(), folder), ""
    except ModelRefused as exc:
        return None, str(exc)


def off_sentence(text: str) -> str:
    """A one-line reason as a sentence."""
    text = text.strip() or "semantic search is off"
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")
