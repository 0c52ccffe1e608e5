"""A batch's files prepared in order, a few ahead in another process while this one writes the
archive: reading, parsing and building a talk are a third of an ingest's time (10,000 hours: see
README "Performance"), and the archive has one writer."""

import multiprocessing
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from pathlib import Path

from app.ingest.prepare import PreparedFile, prepare_file

AHEAD = 4  # files prepared ahead of the writer: enough to keep it fed, few to hold in memory
MIN_FILES = 32  # a smaller batch is done before another process would have started


def prepared_files(
    files: Sequence[Path],
    stored: Mapping[str, str],
    ahead: bool | None = None,
    follow_symlinks: bool = False,
) -> Iterator[PreparedFile]:
    """Each file prepared (`stored`: the digests the archive holds, by resolved path), in the
    order given. `ahead` None: in another process when the batch is large enough."""
    if ahead is None:
        ahead = len(files) >= MIN_FILES
    if not ahead:
        for path in files:
            yield prepare_file(path, _digest(stored, path), follow_symlinks)
        return
    # spawn, not fork: the caller may hold threads and open database connections
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))

    def submit(path: Path) -> tuple[Path, Future[PreparedFile] | None]:
        try:
            return path, pool.submit(prepare_file, path, _digest(stored, path), follow_symlinks)
        except BrokenProcessPool:
            return path, None

    try:
        queued = iter(files)
        pending = deque(submit(path) for path in islice(queued, AHEAD))
        while pending:
            path, future = pending.popleft()
            following = next(queued, None)
            if following is not None:
                pending.append(submit(following))
            try:
                prepared = future.result() if future is not None else None
            except BrokenProcessPool:
                prepared = None
            # None: the other process died (killed, out of memory): the file is prepared here
            yield prepared or prepare_file(path, _digest(stored, path), follow_symlinks)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _digest(stored: Mapping[str, str], path: Path) -> str | None:
    return stored.get(str(path.resolve()))
