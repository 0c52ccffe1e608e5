"""What engines whose index lives outside SQLite share: the index is derived data.

The loader writes the database only; `sync` then brings the index in step with the talks table (adds
talks it lacks or holds in an older version, deletes talks gone), driven by a state file of talk
id -> content hash written after each index commit. A crash between the database commit and the
index commit is repaired by the next sync (`talks ingest`, `talks serve` start-up,
`talks reindex`); a crash after the index commit but before the state file is written only makes
the next sync rewrite those talks again (each starts by deleting the talk's documents).
"""

import json
import logging
import os
import shutil
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from app.store import Store, Writer

log = logging.getLogger(__name__)

STATE_FILE = "talks-state.json"
FOLLOW_SECONDS = 5.0
MISSES_BEHIND = 3  # rounds in a row an index may miss before /readyz says it is behind


def date_number(value: object) -> int:
    """2021-06-25 -> 20210625 (0 when unknown), for range filters on a numeric field."""
    text = str(value or "")
    return int(text[:10].replace("-", "")) if len(text) >= 10 and text[:4].isdigit() else 0


class DerivedIndex:
    name = "derived"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._open()

    # -- what each engine provides ------------------------------------------------------------

    def _open(self) -> None:
        raise NotImplementedError

    def _writer(self) -> Any:
        raise NotImplementedError

    def _delete_talk(self, writer: Any, talk_id: int) -> None:
        raise NotImplementedError

    def _add(self, writer: Any, row: Sequence[Any]) -> None:
        """Add one passage: (id, talk_id, terms, speakers, slug, date)."""
        raise NotImplementedError

    def _commit(self, writer: Any) -> None:
        raise NotImplementedError

    # -- shared -------------------------------------------------------------------------------

    def add_passages(self, writer: Writer, rows: object) -> None:
        """Nothing inside the database transaction: `sync` reads the committed passages."""

    def remove_talk(self, writer: Writer, talk_id: int) -> None:
        """Nothing inside the database transaction: `sync` drops talks that are gone."""

    def _state(self) -> dict[str, str]:
        try:
            return json.loads((self.folder / STATE_FILE).read_text())
        except (OSError, ValueError):
            return {}

    def _write_state(self, state: dict[str, str]) -> None:
        tmp = self.folder / (STATE_FILE + ".tmp")
        tmp.write_text(json.dumps(state))
        os.replace(tmp, self.folder / STATE_FILE)

    def sync(self, store: Store) -> int:
        """Bring the index in step with the database; returns how many talks it rewrote."""
        with store.snapshot() as snapshot:
            wanted = {str(tid): h for tid, h in snapshot.talk_hashes().items()}
            state = self._state()
            changed = {tid for tid, h in state.items() if wanted.get(tid) != h}
            missing = [tid for tid, h in wanted.items() if state.get(tid) != h]
            if not changed and not missing:
                return 0
            writer = self._writer()
            for tid in changed | set(missing):
                self._delete_talk(writer, int(tid))
                state.pop(tid, None)
            for tid in missing:
                for row in snapshot.passages_to_index(int(tid)):
                    self._add(writer, row)
                state[tid] = wanted[tid]
        self._commit(writer)
        self._write_state(state)
        rewritten = len(changed | set(missing))
        log.info("%s index: %d talks rewritten", self.name, rewritten)
        return rewritten

    def rebuild(self, store: Store) -> int:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self._open()
        self.sync(store)
        return len(self._state())


class Followed(Protocol):
    name: str

    def sync(self, store: Store) -> int: ...


class IndexFollower:
    """Keeps a node's derived index in step while it serves: talks that other processes or
    other machines ingest reach this node's index within FOLLOW_SECONDS."""

    def __init__(self, index: Followed, store: Store, every: float = FOLLOW_SECONDS) -> None:
        self.index = index
        self.store = store
        self.every = every
        self._stop = threading.Event()
        self._missed: str | None = None  # why the last round did not bring the index in step
        self._misses = 0  # rounds in a row that did not
        self._thread = threading.Thread(target=self._run, name="index-follower", daemon=True)

    def lag(self) -> str | None:
        """None unless MISSES_BEHIND rounds in a row failed to bring the index in step (one
        may fail while another worker holds the index's writer), else why."""
        return self._missed if self._misses >= MISSES_BEHIND else None

    def start(self) -> None:

        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.index.sync(self.store)
                self._missed, self._misses = None, 0
            except Exception as exc:  # another worker holds the index writer: the next round
                self._missed = f"{self.index.name} index behind: {exc}".splitlines()[0]
                self._misses += 1
                log.warning(
                    "%s index: not brought in step this round", self.index.name, exc_info=True
                )
