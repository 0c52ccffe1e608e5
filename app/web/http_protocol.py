"""uvicorn's HTTP protocol (httptools) with the guards a public server needs against one client
holding the others out.

- A request must arrive whole, line, headers and body, within REQUEST_SECONDS of the connection
  opening or of its first byte; otherwise the connection is closed (uvicorn alone holds a
  connection that trickles a body open for ever, and each one counts against
  `limit_concurrency`, so a thousand of them answer every other visitor 503).
- No route reads a request body: a request that announces one (Content-Length above 0, or
  Transfer-Encoding) is answered 413 at once and its connection closed, without waiting for it.
- One client address holds at most `max_per_client` connections: past that, its oldest
  connection with no request in progress (idle, or still sending) is closed to make room; when
  every one of them is busy, the new one is answered 503. Behind a reverse proxy every client has
  the proxy's address: there the proxy bounds each client (docs/deploy.md), and this bound, set
  with TALKS_MAX_CONNECTIONS_PER_CLIENT, only caps the proxy's connections.

Idle kept-alive connections are closed by uvicorn's own `timeout_keep_alive`.
"""

import asyncio
from typing import ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

REQUEST_SECONDS = 10.0
HEAD_BYTES = 64 * 1024  # a request line and headers larger than this are refused (431)
SHUTDOWN_SECONDS = 20  # in-flight requests get this long to finish after SIGTERM
KEEP_ALIVE_SECONDS = 5  # an idle kept-alive connection is closed after this long
MAX_CONNECTIONS = 1000  # per worker: open connections and requests in progress


class BodyRefused(Exception):
    """Raised from the parser's callback to stop parsing a request that carries a body."""


def _plain_response(status: str, message: str) -> bytes:
    body = message.encode()
    return (
        f"HTTP/1.1 {status}\r\ncontent-type: text/plain; charset=utf-8\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    ).encode() + body


class GuardedProtocol(HttpToolsProtocol):
    _request_timer: asyncio.TimerHandle | None = None
    _refused = False
    _head_bytes = 0  # bytes received since the current request's headers began
    _in_head = True
    # open connections per client address, oldest first (one table per worker process)
    by_client: ClassVar[dict[str, list["GuardedProtocol"]]] = {}
    # set from the settings by the app factory, in each worker (0: no bound)
    max_per_client: ClassVar[int] = 64

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_request_timer()
        self._count_client()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_request_timer()
        self._forget_client()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self._in_head:
            # httptools buffers an unfinished header whole: a header that never ends would
            # grow the process until the deadline
            self._head_bytes += len(data)
            if self._head_bytes > HEAD_BYTES:
                self._refuse("431 Request Header Fields Too Large", "Request headers too large.")
                return
        super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._start_request_timer()

    def on_headers_complete(self) -> None:
        self._in_head, self._head_bytes = False, 0
        if self._announces_body():
            self._refuse("413 Content Too Large", "This server takes no request bodies.")
            raise BodyRefused  # stops the parser: nothing of the body is read or waited for
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._stop_request_timer()
        self._in_head = True
        super().on_message_complete()

    def _refuse(self, status: str, message: str) -> None:
        """Answers `status` and closes the connection; nothing more of it is read."""
        self._refused = True
        self._stop_request_timer()
        self.transport.write(_plain_response(status, message))
        self.transport.close()

    def send_400_response(self, msg: str) -> None:
        if not self._refused:  # a refused body was answered already
            super().send_400_response(msg)

    def _announces_body(self) -> bool:
        for name, value in self.headers:
            if name == b"transfer-encoding":
                return True
            if name == b"content-length" and value.strip() not in (b"0", b""):
                return True
        return False

    def _busy(self) -> bool:
        """A request of this connection is being answered."""
        return self.cycle is not None and not self.cycle.response_complete

    def _count_client(self) -> None:
        limit = self.max_per_client
        host = self.client[0] if self.client else None
        if not limit or host is None:
            return
        mine = self.by_client.setdefault(host, [])
        mine.append(self)
        if len(mine) <= limit:
            return
        spare = next((c for c in mine if c is not self and not c._busy()), None)
        if spare is not None:
            spare._forget_client()
            spare.transport.close()
            return
        self._forget_client()
        self.transport.write(
            _plain_response("503 Service Unavailable", "Too many connections from one address.")
        )
        self.transport.close()

    def _forget_client(self) -> None:
        host = self.client[0] if self.client else None
        mine = self.by_client.get(host) if host is not None else None
        if mine is not None and self in mine:
            mine.remove(self)
            if not mine:
                del self.by_client[host]  # type: ignore[arg-type]

    def _start_request_timer(self) -> None:
        self._stop_request_timer()
        self._request_timer = self.loop.call_later(REQUEST_SECONDS, self._request_too_slow)

    def _stop_request_timer(self) -> None:
        if self._request_timer is not None:
            self._request_timer.cancel()
            self._request_timer = None

    def _request_too_slow(self) -> None:
        self._request_timer = None
        if not self.transport.is_closing():
            self.transport.close()
