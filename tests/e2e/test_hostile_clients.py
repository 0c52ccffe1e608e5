"""One client against a real `talks serve`: bodies that trickle in, connections by the hundred
from one address, forged redirects. Whatever it does, other visitors are answered."""

import socket
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.conftest import SAMPLE
from tests.servers import TALKS, talks_server

pytestmark = pytest.mark.e2e


@pytest.fixture
def archive(db_url: str) -> str:
    done = subprocess.run(
        [TALKS, "ingest", str(SAMPLE), "--db", db_url], capture_output=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return db_url


@pytest.fixture
def server(archive: str, tmp_path: Path) -> Iterator[str]:
    env = {"TALKS_MAX_CONNECTIONS_PER_CLIENT": "8"}
    with talks_server(archive, tmp_path / "serve.log", env=env) as base:
        yield base


def address(base: str) -> tuple[str, int]:
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    return host, int(port)


def answered(base: str, path: str = "/api/talks") -> int:
    with urllib.request.urlopen(base + path, timeout=30) as response:
        response.read()
        return response.status


def read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (reset counts as closed)."""
    sock.settimeout(60)
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except ConnectionResetError:
        pass
    return b"".join(chunks)


def test_a_request_with_a_body_is_refused_at_once(server: str) -> None:
    with ExitStack() as stack:
        slow = []
        for _ in range(50):
            sock = stack.enter_context(socket.create_connection(address(server)))
            sock.sendall(
                b"GET /api/topics HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000\r\n\r\nabc"
            )
            slow.append(sock)
        for sock in slow:  # each answered and closed without waiting for the body
            assert read_all(sock).startswith(b"HTTP/1.1 413 ")
        assert answered(server, "/") == 200


def test_one_address_cannot_take_every_connection(server: str) -> None:
    """Past 8 connections from one address, its oldest idle ones are closed to make room."""
    with ExitStack() as stack:
        idle = [stack.enter_context(socket.create_connection(address(server))) for _ in range(30)]
        assert answered(server) == 200
        assert answered(server, "/") == 200
        # the 22 oldest made room for the newer ones, then two more for the two requests
        for sock in idle[:22]:
            assert read_all(sock) == b""
        # the newest are still open and served (the request deadline alone would have closed
        # every one of them together, 10 s after they opened)
        newest = idle[-1]
        newest.sendall(b"GET /api/talks HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        assert read_all(newest).startswith(b"HTTP/1.1 200 ")


def test_a_redirect_never_leaves_the_site(server: str) -> None:
    for path in (b"//evil.example/", b"/talks/"):
        with socket.create_connection(address(server)) as sock:
            sock.sendall(
                b"GET " + path + b" HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"
            )
            head = read_all(sock).split(b"\r\n\r\n")[0].decode()
        assert head.startswith("HTTP/1.1 307")
        location = next(line for line in head.split("\r\n") if line.lower().startswith("location"))
        target = location.split(":", 1)[1].strip()
        assert target.startswith("/") and not target.startswith("//"), target
        assert "evil.example" not in target or target == "/evil.example"


def test_headers_that_never_end_are_refused_before_they_grow_the_server(server: str) -> None:
    with socket.create_connection(address(server)) as sock:
        sock.sendall(b"GET /api/talks HTTP/1.1\r\nHost: a\r\nX-Long: ")
        cut_off = False
        try:
            for _ in range(1000):  # 64 MB at most; refused after the first 64 KB
                sock.sendall(b"a" * 65536)
        except (BrokenPipeError, ConnectionResetError):
            cut_off = True
        # the 431 is sent before closing, but the close may reset the connection first
        assert cut_off or read_all(sock).startswith(b"HTTP/1.1 431 ")

    assert answered(server) == 200
