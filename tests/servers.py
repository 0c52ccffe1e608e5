"""Real `talks` processes for end-to-end tests, browser tests and benchmarks."""

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

TALKS = str(Path(sys.executable).parent / "talks")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_answering(
    url: str, proc: subprocess.Popen, log: Path | None = None, seconds: float = 120
) -> None:
    """Polls `url` until it answers; raises (with the log) if the server exits first."""
    give_up = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            if proc.poll() is not None:
                tail = log.read_text()[-2000:] if log else ""
                raise RuntimeError(f"talks serve exited: {tail}") from None
            if time.monotonic() > give_up:
                raise TimeoutError(f"{url} did not answer in {seconds:.0f} s") from None
            time.sleep(0.1)


@contextmanager
def talks_server(
    db: str,
    log: Path,
    env: dict[str, str] | None = None,
    workers: int = 1,
    command: str = TALKS,
    cwd: Path | None = None,
) -> Iterator[str]:
    """`talks serve` on a free loopback port, polled until it answers, stopped on exit.
    Yields its base URL; raises with the server's log when it dies on start-up. `command`: the
    `talks` to run (another version's, for a side-by-side benchmark)."""
    port = free_port()
    with log.open("w") as log_file:
        proc = subprocess.Popen(
            [
                command,
                "serve",
                "--db",
                db,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            env={**os.environ, **(env or {})},
            cwd=cwd,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(base + "/api/talks", proc, log)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


@dataclass
class RequestLog:
    answered: int = 0
    failures: list[str] = field(default_factory=list)


@contextmanager
def clients_requesting(bases: list[str], paths: list[str]) -> Iterator[RequestLog]:
    """A thread per base URL requesting `paths` in turn until the block ends; yields the log of
    answered and failed requests (complete once the block has ended)."""
    log = RequestLog()
    done = threading.Event()

    def client(base: str) -> None:
        while not done.is_set():
            for path in paths:
                try:
                    with urllib.request.urlopen(base + path, timeout=30) as response:
                        response.read()
                        log.answered += 1
                except OSError as exc:  # HTTPError included
                    log.failures.append(f"{base}{path}: {exc}")

    threads = [threading.Thread(target=client, args=(base,)) for base in bases]
    for t in threads:
        t.start()
    try:
        yield log
    finally:
        done.set()
        for t in threads:
            t.join(60)
