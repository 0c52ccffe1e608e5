"""Real `talks` processes for end-to-end tests, browser tests and benchmarks."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TALKS = str(Path(sys.executable).parent / "talks")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def talks_server(
    db: str, log: Path, env: dict[str, str] | None = None, workers: int = 1
) -> Iterator[str]:
    """`talks serve` on a free loopback port, polled until it answers, stopped on exit.
    Yields its base URL; raises with the server's log when it dies on start-up."""
    port = free_port()
    with log.open("w") as log_file:
        proc = subprocess.Popen(
            [
                TALKS,
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
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/api/talks", timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(f"talks serve exited: {log.read_text()[-2000:]}") from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)
