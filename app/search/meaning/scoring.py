"""How a passage is scored against a query, for every kind of vector index.

A passage is scored by its own vector and by the vector of its stretch of talk (it and the
passages either side of it, summed and normalised), so a passage inside a stretch about the
subject outranks a lone passage that touches it (it ranked better on the dev topic queries;
docs/meaning-search.md). Its moment is where it overlaps whichever neighbour is nearer the
query: the subject is more likely there. Rows are passages in talk and word order.
"""

from dataclasses import dataclass

import numpy as np

from app.text.passages import PASSAGE_STRIDE

BLOCK_ROWS = 65536  # rows of a scoring matrix built at a time


@dataclass(frozen=True, slots=True)
class MeaningHit:
    passage_id: int
    talk_id: int
    similarity: float  # cosine of the query and the passage, -1..1
    word: int  # where in the passage its moment starts (0, or where the next one begins)
    score: float = 0.0  # what it was ranked by: own and stretch similarity


def passage_arrays(
    rows: list[tuple[int, bytes, bytes]], dimensions: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(passage ids, their talks, their float16 vectors) of stored talks' vectors, in order."""
    ids = [np.frombuffer(pids, dtype=np.int64) for _, pids, _ in rows]
    talks = [np.full(len(i), tid, dtype=np.int64) for (tid, _, _), i in zip(rows, ids, strict=True)]
    vecs = [np.frombuffer(v, dtype=np.float16).reshape(-1, dimensions) for _, _, v in rows]
    return (
        np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64),
        np.concatenate(talks) if talks else np.zeros(0, dtype=np.int64),
        np.vstack(vecs) if vecs else np.zeros((0, dimensions), dtype=np.float16),
    )


def scoring_rows(vectors: np.ndarray, talks: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The scoring vectors (float32) of these rows: each one's own vector plus its stretch's."""
    own = np.asarray(vectors[rows], dtype=np.float32)
    stretch = own.copy()
    last = len(talks) - 1
    for step in (-1, 1):
        other = np.clip(rows + step, 0, last)
        same = (other != rows) & (talks[other] == talks[rows])
        stretch += np.asarray(vectors[other], dtype=np.float32) * same[:, None]
    stretch /= np.maximum(np.linalg.norm(stretch, axis=1, keepdims=True), 1e-12)
    return own + stretch


def scoring_matrix(vectors: np.ndarray, talks: np.ndarray, block: int = BLOCK_ROWS) -> np.ndarray:
    """Every row's scoring vector, built `block` rows at a time, so building holds the
    float16 vectors, this matrix and one block (whole-matrix steps held three more float32
    copies: at 10,000 hours, 1.9 M passages, ~8.8 GB more at the peak)."""
    scoring = np.empty(vectors.shape, dtype=np.float32)
    for lo in range(0, len(vectors), block):
        hi = min(lo + block, len(vectors))
        scoring[lo:hi] = scoring_rows(vectors, talks, np.arange(lo, hi))
    return scoring


def row_of(sorted_ids: np.ndarray, by_id: np.ndarray, passage_id: int) -> int | None:
    """A passage's row, found in its index's ids sorted (`by_id`: the rows in that order)."""
    at = int(np.searchsorted(sorted_ids, passage_id))
    if at >= len(sorted_ids) or sorted_ids[at] != passage_id:
        return None
    return int(by_id[at])


def keep_apart(rows: list[int], k: int) -> list[int]:
    """The first k of these rows (best first), leaving out a row next to a better one of the
    same talk (the same stretch of talk, which overlaps it)."""
    kept: list[int] = []
    taken: set[int] = set()
    for row in rows:
        if row in taken:
            continue
        kept.append(row)
        taken.update((row - 1, row, row + 1))
        if len(kept) >= k:
            break
    return kept


def hit_at(
    ids: np.ndarray,
    talks: np.ndarray,
    vectors: np.ndarray,
    row: int,
    query: np.ndarray,
    score: float,
) -> MeaningHit:
    """The hit of a row: its similarity, and its moment on the side of its nearer neighbour."""

    def similarity(at: int) -> float | None:
        if at < 0 or at >= len(ids) or talks[at] != talks[row]:
            return None
        return float(np.asarray(vectors[at], dtype=np.float32) @ query)

    before, after = similarity(row - 1), similarity(row + 1)
    word = PASSAGE_STRIDE if after is not None and (before is None or after > before) else 0
    return MeaningHit(
        int(ids[row]), int(talks[row]), float(similarity(row) or 0.0), word, float(score)
    )
