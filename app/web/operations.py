"""What an operator's tools poll: `/healthz` (the process answers), `/readyz` (the archive
answers, its index is in step, the model is loaded or off) and `/metrics` (Prometheus's text
format). None of them is in the API's schema or the pages' navigation; each is cheap enough to
be asked every second."""

import time
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

router = APIRouter(include_in_schema=False)

# one registry an app: tests build several apps in one process
SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The app's counters; with several workers each worker counts its own requests (a
    scraper behind the proxy sees one worker's at a time: docs/deployment.md)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "talks_requests",
            "HTTP requests answered, by route and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "talks_request_seconds",
            "Time to answer an HTTP request, by route.",
            ["route"],
            buckets=SECONDS,
            registry=self.registry,
        )
        self.search_seconds = Histogram(
            "talks_search_seconds",
            "Time a search took inside the service, by mode.",
            ["mode"],
            buckets=SECONDS,
            registry=self.registry,
        )
        self.search_hits = Histogram(
            "talks_search_hits",
            "Moments a search found (its total).",
            buckets=(0, 1, 5, 10, 50, 100, 1000, 10000),
            registry=self.registry,
        )
        self.talks = Gauge("talks_archive_talks", "Talks in the archive.", registry=self.registry)
        self.segments = Gauge(
            "talks_archive_segments",
            "Segments (caption lines, turns) of the talks' leading transcripts.",
            registry=self.registry,
        )

    def searched(self, mode: str, elapsed_ms: float, total: int) -> None:
        self.search_seconds.labels(mode).observe(elapsed_ms / 1000)
        self.search_hits.observe(total)


class RequestMetrics:
    """Counts every request and its time under its route's template (`/talks/{slug}`, not the
    slug: a label per talk would grow without bound)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        status = [500]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self.metrics.requests.labels(route, scope["method"], str(status[0])).inc()
            self.metrics.request_seconds.labels(route).observe(time.perf_counter() - began)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process answers (a load balancer's liveness probe)."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> Response:
    """200 when the archive answers a read, the search index is in step and the meaning model
    is loaded (or meaning search is off); 503 naming what is not."""
    state = request.app.state
    checks: dict[str, str] = {}
    ready = True
    try:
        await run_in_threadpool(state.store.check)
        checks["archive"] = "answers"
    except Exception as exc:  # any failure to read is "not ready", said in one line
        checks["archive"] = f"not answering: {str(exc).splitlines()[0] if str(exc) else exc!r}"
        ready = False
    index_state: Callable[[], str | None] | None = getattr(state, "index_state", None)
    lag = index_state() if index_state is not None else None
    checks["index"] = lag or "in step"
    ready = ready and lag is None
    checks["meaning"] = "loaded" if state.search_service.meaning is not None else "off"
    body = {"status": "ready" if ready else "not ready", "checks": checks}
    return JSONResponse(body, status_code=200 if ready else 503)


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    """Prometheus's text format: requests and their time by route, search time and hits, the
    archive's talks and segments."""
    state = request.app.state
    collected: Metrics = state.metrics
    catalogue = await run_in_threadpool(state.catalogue.current)
    collected.talks.set(len(catalogue.talks))
    collected.segments.set(sum(card.segment_count for card in catalogue.talks))
    return Response(generate_latest(collected.registry), media_type=CONTENT_TYPE_LATEST)
