"""Nearest passages from an inverted-file index on disk, for archives too large to score every
vector per query.

Exact search holds every vector in each worker and reads them all per query: at 10,000 hours
(1.9 M passages x 384) that is ~4.4 GB a worker and a product of ~190 ms. Here the passages'
scoring vectors (their own plus their stretch's, as nearest.scoring_matrix) are clustered
(faiss IndexIVFScalarQuantizer: k-means lists, 4 bits a dimension, inner product), a query
reads the PROBES lists nearest it, and the candidates are scored again exactly from the
passages' own float16 vectors. Every file is memory-mapped: the workers of a machine share
one copy in the page cache, and a worker's resident memory holds only the pages it read.

The index is derived data kept beside the archive like the engines' (for PostgreSQL in each
node's index folder): `talks ingest` and `talks reindex --semantic` write it when the archive
holds IVF_MIN_PASSAGES passages or more, and `talks serve` when it finds none. It records the
talks (and their content) it holds; talks written since are searched exactly beside it (the
layers in nearest.py) until the next write, which happens once they hold REBUILD_SHARE of the
passages. A version is written into a new folder and named in CURRENT by an atomic rename, so
readers never see half an index.
"""

import fcntl
import json
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from app.search.meaning.scoring import (
    MeaningHit,
    hit_at,
    keep_apart,
    passage_arrays,
    row_of,
    scoring_rows,
)

log = logging.getLogger(__name__)

IVF_MIN_PASSAGES = 200_000  # smaller archives are searched exactly (nearest.VectorIndex)
REBUILD_SHARE = 0.05  # talks outside the index holding this share of passages: write it again
PROBES = 32  # lists read per query
LIST_ROWS = 512  # passages per list, about (so lists = passages / LIST_ROWS, 64-4096)
TRAIN_ROWS = 131_072  # scoring vectors the lists are trained on, at most
EXACT_ROWS = 131_072  # a filter allowing at most this many passages: they are scored exactly
WIDEN = 8  # candidates read per passage wanted (before those next to better ones are left out)
RESCORED = 4  # of which this many per passage wanted, the lists' best, are scored exactly
CURRENT = "CURRENT"
STATE = "state.json"
LOCK = "writing.lock"


def faiss_module():  # noqa: ANN201 (faiss has no types)
    import faiss

    faiss.omp_set_num_threads(1)  # one query at a time per worker thread
    return faiss


class IvfIndex:
    """One written version of the index, memory-mapped."""

    def __init__(self, folder: Path) -> None:
        faiss = faiss_module()
        state = json.loads((folder / STATE).read_text())
        self.folder = folder
        self.model: str = state["model"]
        self.talk_hashes: dict[int, str] = {int(t): h for t, h in state["talks"].items()}
        self.ids = np.load(folder / "ids.npy", mmap_mode="r")
        self.talks = np.load(folder / "talks.npy", mmap_mode="r")
        self.vectors = VectorRows(folder / "vectors.npy")
        self._by_id = np.load(folder / "by_id.npy", mmap_mode="r")  # rows in passage id order
        self._sorted_ids = np.asarray(self.ids)[self._by_id]
        self._lists = faiss.read_index(
            str(folder / "lists.faiss"), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY
        )
        self._lists.nprobe = PROBES

    def __len__(self) -> int:
        return len(self.ids)

    def nearest(
        self,
        query: np.ndarray,
        k: int,
        allowed: set[int] | None = None,
        other_than: int | None = None,
        left_out: set[int] = frozenset(),  # type: ignore[assignment]
    ) -> list[MeaningHit]:
        """As VectorIndex.nearest, of the talks this index holds but those `left_out`."""
        if not len(self.ids) or k <= 0:
            return []
        query = query.astype(np.float32)
        if allowed is not None:
            rows = np.flatnonzero(np.isin(self.talks, list(allowed - left_out)))
            if len(rows) <= EXACT_ROWS:  # a few talks: all their passages, exactly
                return self._ranked(self._without(rows, other_than, left_out), query, k)
        wanted = min(WIDEN * k + 2 * k * bool(left_out or other_than), len(self.ids))
        _, found = self._lists.search(query[None, :], wanted)
        rows = found[0][found[0] >= 0]  # best first by the lists' quantized scores
        if allowed is not None:
            rows = rows[np.isin(self.talks[rows], list(allowed))]
        # the lists' order picks which to score exactly: reading every candidate's vectors
        # and neighbours touched ~1.1 GB of the vectors' pages in 320 searches at 10,000 hours
        rows = self._without(rows, other_than, left_out)
        return self._ranked(rows[: RESCORED * k], query, k)

    def _without(self, rows: np.ndarray, other_than: int | None, left_out: set[int]) -> np.ndarray:
        if other_than is None and not left_out:
            return rows
        gone = set(left_out) | ({other_than} if other_than is not None else set())
        return rows[~np.isin(self.talks[rows], list(gone))]

    def _ranked(self, rows: np.ndarray, query: np.ndarray, k: int) -> list[MeaningHit]:
        """These rows scored exactly (own vector and stretch), the best k kept apart."""
        if not len(rows):
            return []
        rows = np.unique(rows.astype(np.int64))
        # the rows and their neighbours, read into this process: global row r is local
        # at[r], and its neighbours are local at[r] -+ 1 (both are read)
        near = np.unique(np.clip(np.concatenate([rows - 1, rows, rows + 1]), 0, len(self) - 1))
        vectors, talks, ids = self.vectors.read(near), self.talks[near], self.ids[near]
        at = np.searchsorted(near, rows)
        scores = scoring_rows(vectors, talks, at) @ query
        order = np.argsort(-scores, kind="stable")
        kept = keep_apart(at[order].tolist(), k)  # local rows are apart as the global ones
        by_at = dict(zip(at.tolist(), scores.tolist(), strict=True))
        return [hit_at(ids, talks, vectors, a, query, by_at[a]) for a in kept]

    def passage(self, passage_id: int) -> tuple[np.ndarray, int] | None:
        row = row_of(self._sorted_ids, self._by_id, passage_id)
        if row is None:
            return None
        return self.vectors.read(np.array([row]))[0].astype(np.float32), int(self.talks[row])


class VectorRows:
    """The passages' own float16 vectors on disk, read row by row with pread. Mapped, a
    worker's resident memory grew to ~1 GB of the 1.36 GB file in 320 searches at 10,000
    hours (each page fault maps the pages around it too); read, only the page cache holds
    them, shared by every process of the machine."""

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_RDONLY)  # first: __del__ closes it if the rest fails
        with path.open("rb") as f:
            version = np.lib.format.read_magic(f)
            header = (
                np.lib.format.read_array_header_1_0
                if version == (1, 0)
                else np.lib.format.read_array_header_2_0
            )
            shape, _, dtype = header(f)
            self._offset = f.tell()
        self.rows, self.dimensions = shape
        self._dtype = np.dtype(dtype)
        self._row_bytes = self.dimensions * self._dtype.itemsize

    def __del__(self) -> None:
        os.close(self._fd)

    def read(self, rows: np.ndarray) -> np.ndarray:
        """These rows (sorted, distinct), in their order: one read per run of adjacent rows."""
        out = np.empty((len(rows), self.dimensions), dtype=self._dtype)
        if not len(rows):
            return out
        breaks = np.flatnonzero(np.diff(rows) != 1) + 1
        for lo, hi in zip(np.r_[0, breaks], np.r_[breaks, len(rows)], strict=True):
            count = int(hi - lo)
            data = os.pread(
                self._fd, count * self._row_bytes, self._offset + int(rows[lo]) * self._row_bytes
            )
            out[lo:hi] = np.frombuffer(data, dtype=self._dtype).reshape(count, self.dimensions)
        return out


@contextmanager
def writing(folder: Path) -> Iterator[None]:
    """One writer of the index at a time on this machine (the others wait, then find it
    written): every worker of a node may find it missing at start-up."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / LOCK).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def current(folder: Path | None) -> Path | None:
    """The version CURRENT names, if there is one."""
    if folder is None:
        return None
    try:
        name = (folder / CURRENT).read_text().strip()
    except OSError:
        return None
    return folder / name if name and (folder / name / STATE).is_file() else None


def write_index(
    folder: Path,
    rows: list[tuple[int, bytes, bytes]],
    dimensions: int,
    model: str,
    talk_hashes: dict[int, str],
) -> Path:
    """Write a version of the index of these talks' vectors and make it CURRENT; older
    versions are removed (a reader holding one keeps its mapped files until it lets go)."""
    faiss = faiss_module()
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    began = time.perf_counter()
    ids, talks, vectors = passage_arrays(rows, dimensions)
    passages = len(ids)
    lists = int(min(4096, max(1, passages // LIST_ROWS)))
    quantizer = faiss.IndexFlatIP(dimensions)
    # 4 bits a dimension keep the lists file (mapped: the pages read count in a worker's
    # resident memory) half of 8 bits', 377 MB against 734 at 10,000 hours, at the same
    # recall@80 reading 32 lists, 0.921 against 0.920 (tests/bench/ivf_recall.py): the
    # candidates are scored again exactly
    bits = faiss.ScalarQuantizer.QT_4bit
    index = faiss.IndexIVFScalarQuantizer(
        quantizer, dimensions, lists, bits, faiss.METRIC_INNER_PRODUCT
    )
    step = max(1, passages // TRAIN_ROWS)
    sample = np.arange(0, passages, step)[:TRAIN_ROWS]
    index.train(scoring_rows(vectors, talks, sample))
    block = 65_536
    for lo in range(0, passages, block):
        hi = min(lo + block, passages)
        index.add_with_ids(scoring_rows(vectors, talks, np.arange(lo, hi)), np.arange(lo, hi))
    folder.mkdir(parents=True, exist_ok=True)
    name = f"v{time.time_ns()}"
    target = folder / (name + ".tmp")
    target.mkdir()
    np.save(target / "ids.npy", ids)
    np.save(target / "talks.npy", talks)
    np.save(target / "vectors.npy", vectors)
    np.save(target / "by_id.npy", np.argsort(ids, kind="stable"))
    faiss.write_index(index, str(target / "lists.faiss"))
    (target / STATE).write_text(
        json.dumps({"model": model, "talks": {str(t): h for t, h in talk_hashes.items()}})
    )
    os.replace(target, folder / name)
    pointer = folder / (CURRENT + ".tmp")
    pointer.write_text(name)
    os.replace(pointer, folder / CURRENT)
    for old in folder.iterdir():
        if old.is_dir() and old.name != name:
            shutil.rmtree(old, ignore_errors=True)
    log.info(
        "meaning index: %d passages in %d lists written in %.1f s",
        passages,
        lists,
        time.perf_counter() - began,
    )
    return folder / name
