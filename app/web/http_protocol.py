"""uvicorn's HTTP protocol (httptools) with a deadline for a request's headers.

uvicorn holds a connection that sends half a request open for ever (measured: still open after
40 s), so a client trickling bytes — or many of them — ties up sockets and memory. Here a
request's line and headers must arrive within HEADERS_SECONDS of the connection opening or of
the request's first byte; otherwise the connection is closed. Idle keep-alive connections are
closed by uvicorn's own `timeout_keep_alive`.
"""

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEADERS_SECONDS = 10.0


class HeaderDeadlineProtocol(HttpToolsProtocol):
    _headers_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_headers_timer()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._start_headers_timer()

    def on_headers_complete(self) -> None:
        self._stop_headers_timer()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_headers_timer()
        super().connection_lost(exc)

    def _start_headers_timer(self) -> None:
        self._stop_headers_timer()
        self._headers_timer = self.loop.call_later(HEADERS_SECONDS, self._headers_too_slow)

    def _stop_headers_timer(self) -> None:
        if self._headers_timer is not None:
            self._headers_timer.cancel()
            self._headers_timer = None

    def _headers_too_slow(self) -> None:
        self._headers_timer = None
        if not self.transport.is_closing():
            self.transport.close()
