"""A local HTTP server that serves a podcast feed and its files (real ones: the podcast
namespace's example feed and transcripts, tests/data/podcasting20/SOURCE.md), with ETags."""

import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "data" / "podcasting20"


@dataclass
class FeedSite:
    base: str
    files: dict[str, bytes]
    redirects: dict[str, str] = field(default_factory=dict)
    asked: list[tuple[str, int]] = field(default_factory=list)  # (path, status) in order
    stalled: set[str] = field(default_factory=set)  # paths answered only when `release` is set
    release: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        return self.base + path


def example_feed(base: str) -> bytes:
    """The namespace's example feed, its addresses on this server; episode 1's transcript is
    the example HTML, episode 2's the example JSON, with chapters; episode 3 keeps its plain
    text one (and a Spanish VTT, not read: the feed is in English)."""
    text = (DATA / "feed.xml").read_text()
    text = text.replace(
        'url="https://example.com/ep1/transcript.txt" type="text/plain"',
        'url="https://example.com/ep1/transcript.html" type="text/html"',
    ).replace(
        'url="https://example.com/ep2/transcript.txt" type="text/plain"',
        'url="https://example.com/ep2/transcript.json" type="application/json"',
    )
    return text.replace("https://example.com/", base).encode()


EPISODE_3_TEXT = b"0:00 Welcome to the future of podcasting.\n0:07 Value for value is here.\n"


def _handler(site: FeedSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            path = self.path.split("?")[0]
            if path in site.stalled:
                site.release.wait(30)
            if path in site.redirects:
                self._answer(302, b"", {"Location": site.redirects[path]})
                return
            body = site.files.get(path)
            if body is None:
                self._answer(404, b"not here")
                return
            etag = '"' + hashlib.sha1(body).hexdigest()[:12] + '"'
            if self.headers.get("If-None-Match") == etag:
                self._answer(304, b"", {"ETag": etag})
                return
            self._answer(200, body, {"ETag": etag})

        def _answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            site.asked.append((self.path, status))
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    return Handler


@pytest.fixture
def feed_site() -> Iterator[FeedSite]:
    site = FeedSite("", {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    site.base = f"http://127.0.0.1:{server.server_address[1]}/"
    site.files.update(
        {
            "/feed.xml": example_feed(site.base),
            "/ep1/transcript.html": (DATA / "paragraphs.html").read_bytes(),
            "/ep2/transcript.json": (DATA / "words.json").read_bytes(),
            "/ep2_chapters.json": (DATA / "chapters.json").read_bytes(),
            "/ep3/transcript.txt": EPISODE_3_TEXT,
        }
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield site
    site.release.set()
    server.shutdown()
    server.server_close()
