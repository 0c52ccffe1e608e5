"""Nearest passages by meaning: the stored vectors in memory, searched exactly.

A passage is scored by its own vector and by the vector of its stretch of talk (it and the
passages either side of it, summed and normalised), so a passage inside a stretch about the
subject outranks a lone passage that touches it (it ranked better on the dev topic queries;
README, "Meaning search"). Its moment is where it overlaps whichever neighbour is nearer the
query: the subject is more likely there.

Exact search reads every vector for every query: one matrix product, of ~186,000 rows at 1,000
hours (the float32 scoring matrix alone is ~290 MB there, beside the float16 vectors' 145 MB);
`make bench` measures it in the "subject" class.
"""

import threading
import time
from dataclasses import dataclass

import numpy as np

from app.search.meaning.embedder import Embedder, ModelRefused, load_minilm
from app.search.meaning.vectors import vectors_model
from app.store import Snapshot
from app.text.passages import PASSAGE_STRIDE

SPREAD = 4  # best passages read per passage kept: neighbours of better ones are left out
BLOCK_ROWS = 65536  # rows of the scoring matrix built at a time


@dataclass(frozen=True, slots=True)
class MeaningHit:
    passage_id: int
    talk_id: int
    similarity: float  # cosine of the query and the passage, -1..1
    word: int  # where in the passage its moment starts (0, or where the next one begins)


class VectorIndex:
    """Every passage's vector, in talk and word order, with the scoring matrix built once."""

    def __init__(
        self, rows: list[tuple[int, bytes, bytes]], dimensions: int, block: int = BLOCK_ROWS
    ) -> None:
        ids = [np.frombuffer(pids, dtype=np.int64) for _, pids, _ in rows]
        talks = [
            np.full(len(i), tid, dtype=np.int64) for (tid, _, _), i in zip(rows, ids, strict=True)
        ]
        vecs = [np.frombuffer(v, dtype=np.float16).reshape(-1, dimensions) for _, _, v in rows]
        self.ids = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
        self.talks = np.concatenate(talks) if talks else np.zeros(0, dtype=np.int64)
        self.vectors = np.vstack(vecs) if vecs else np.zeros((0, dimensions), dtype=np.float16)
        # a passage's row by its id: the ids sorted, searched (a dict of every id took ~100
        # bytes a passage)
        self._by_id = np.argsort(self.ids, kind="stable")
        self._sorted_ids = self.ids[self._by_id]
        self._scoring = scoring_matrix(self.vectors, self.talks, block)

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
        kept: list[int] = []
        taken: set[int] = set()
        for row in top.tolist():
            if row in taken:
                continue  # next to a better passage of the same talk: the same stretch
            kept.append(row)
            taken.update((row - 1, row, row + 1))
            if len(kept) >= k:
                break
        return [self._hit(row, query) for row in kept]

    def _hit(self, row: int, query: np.ndarray) -> MeaningHit:
        own = float(self.vectors[row].astype(np.float32) @ query)
        before = self._neighbour(row, -1, query)
        after = self._neighbour(row, +1, query)
        word = PASSAGE_STRIDE if after is not None and (before is None or after > before) else 0
        return MeaningHit(int(self.ids[row]), int(self.talks[row]), own, word)

    def _neighbour(self, row: int, step: int, query: np.ndarray) -> float | None:
        other = row + step
        if other < 0 or other >= len(self.ids) or self.talks[other] != self.talks[row]:
            return None
        return float(self.vectors[other].astype(np.float32) @ query)

    def passage(self, passage_id: int) -> tuple[np.ndarray, int] | None:
        """A passage's vector and its talk, if the index holds it."""
        at = int(np.searchsorted(self._sorted_ids, passage_id))
        if at >= len(self._sorted_ids) or self._sorted_ids[at] != passage_id:
            return None
        row = int(self._by_id[at])
        return self.vectors[row].astype(np.float32), int(self.talks[row])


def scoring_matrix(vectors: np.ndarray, talks: np.ndarray, block: int = BLOCK_ROWS) -> np.ndarray:
    """Each passage's own vector plus its stretch's (it and its neighbours of the same talk,
    summed and normalised), as float32: built `block` rows at a time, so loading holds the
    float16 vectors, this matrix and one block (whole-matrix steps held three more float32
    copies: at 10,000 hours, 1.9 M passages, ~8.8 GB more at the peak)."""
    n = len(vectors)
    scoring = np.empty(vectors.shape, dtype=np.float32)
    same_prev = np.zeros(n, dtype=bool)  # row i and row i - 1 are of one talk
    same_prev[1:] = talks[1:] == talks[:-1]
    for lo in range(0, n, block):
        hi = min(lo + block, n)
        own = vectors[lo:hi].astype(np.float32)
        stretch = own.copy()
        first = max(lo, 1)  # rows with a row before them
        stretch[first - lo :] += vectors[first - 1 : hi - 1] * same_prev[first:hi, None]
        last = min(hi, n - 1)  # rows with a row after them
        stretch[: last - lo] += vectors[lo + 1 : last + 1] * same_prev[lo + 1 : last + 1, None]
        stretch /= np.maximum(np.linalg.norm(stretch, axis=1, keepdims=True), 1e-12)
        scoring[lo:hi] = own + stretch
    return scoring


class MeaningSearch:
    """The embedder and the vectors of the archive it serves, reloaded when they change: at
    most every RELOAD_SECONDS, as an ingest writes them talk by talk (a reload reads them all;
    a passage gone meanwhile is skipped by the search)."""

    RELOAD_SECONDS = 5.0

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._index: VectorIndex | None = None
        self._version: tuple[int, ...] | None = None
        self._loaded_at = 0.0
        self._lock = threading.Lock()

    def index(self, snapshot: Snapshot) -> VectorIndex:
        version = snapshot.vectors_version()
        with self._lock:
            due = time.monotonic() - self._loaded_at >= self.RELOAD_SECONDS
            if self._index is None or (version != self._version and due):
                rows = snapshot.talk_vectors(vectors_model(snapshot, self.embedder))
                self._index = VectorIndex(rows, self.embedder.dimensions)
                self._version = version
                self._loaded_at = time.monotonic()
            return self._index

    def embed_query(self, text: str) -> np.ndarray:
        return self.embedder.embed([text])[0]


OFF_BY_SETTING = "semantic search is off (TALKS_SEMANTIC=false)"


def load_meaning(enabled: bool) -> tuple[MeaningSearch | None, str]:
    """Meaning search with the installed model, or None and why not (one line)."""
    if not enabled:
        return None, OFF_BY_SETTING
    try:
        return MeaningSearch(load_minilm()), ""
    except ModelRefused as exc:
        return None, str(exc)


def off_sentence(text: str) -> str:
    """A one-line reason as a sentence."""
    text = text.strip() or "semantic search is off"
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")
