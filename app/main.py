"""The application factory: `create_app()` wires settings, database, search and routes."""

import gc
import hashlib
import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.catalogue import CatalogueCache, read_topic_aliases
from app.config import Settings, get_settings
from app.logging_setup import configure_logging
from app.resources import resource_dir
from app.search.engines.derived import DerivedIndex, IndexFollower
from app.text.links import clock, name_slug
from app.web import api, operations, pages
from app.web.errors import install_error_handlers
from app.web.http_protocol import GuardedProtocol
from app.web.operations import Metrics, RequestMetrics
from app.wiring import open_archive, search_service

_NUL_ESCAPE = re.compile(rb"%00", re.IGNORECASE)

log = logging.getLogger(__name__)
MEANING_FOLLOW_SECONDS = 60.0  # how often a node looks whether its meaning index is due
CSP = (
    "default-src 'self'; img-src 'self' data: https://i.ytimg.com; "
    "script-src 'self' https://www.youtube.com https://s.ytimg.com; "
    "frame-src https://www.youtube.com https://www.youtube-nocookie.com; "
    "style-src 'self'; media-src 'self' https: http:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'self'"
)
# /docs: Swagger UI's own script and styles from /docs-assets, started by static/docs-init.js;
# its React components set style attributes, so styles (not scripts) may be inline there
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; script-src 'self'; "
    "style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'self'"
)


class SecurityHeaders:
    """Adds the CSP and friends to every response (plain ASGI: Starlette's BaseHTTPMiddleware
    cost about a millisecond per request)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = DOCS_CSP if scope["path"] == "/docs" else CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", csp)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class TrailingSlashRedirect:
    """`/talks/` -> `/talks`, as a relative redirect: Starlette's own builds an absolute one from
    the Host header, which a client chooses (`Host: evil.example` sent visitors there)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or len(path) < 2 or not path.endswith("/"):
            await self.app(scope, receive, send)
            return
        # one leading slash: `//evil.example/` must not become a protocol-relative address
        target = quote("/" + path.strip("/"), safe="/:@!$&'()*+,;=-._~")
        query = scope.get("query_string", b"").decode("latin-1")
        location = target + (f"?{query}" if query else "")
        await RedirectResponse(location, status_code=307)(scope, receive, send)


class NoNulBytes:
    """NUL bytes leave requests before any route sees them: PostgreSQL refuses them in text (a
    500 for `speaker=%00`), and no name, slug or quote holds one. In the query string they are
    dropped; a path holding one names no page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"")
        if b"%00" in query.lower() or b"\x00" in query:
            query = _NUL_ESCAPE.sub(b"", query).replace(b"\x00", b"")
            scope = {**scope, "query_string": query}
        if "\x00" in scope.get("path", ""):
            scope = {**scope, "path": "/not-a-page", "raw_path": b"/not-a-page"}
        await self.app(scope, receive, send)


class HeadAsGet:
    """HEAD is answered as GET without the body (uptime checkers, `curl -I`): the routes are
    declared for GET only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


class ApiCors:
    """CORS for GET under /api/ only: other origins may read the API, not the pages."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(app, allow_origins=origins, allow_methods=["GET"])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(resource_dir("templates")),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clock"] = clock
    env.filters["slug"] = name_slug
    env.globals["static_url"] = static_urls()
    return env


def static_urls() -> Callable[[str], str]:
    """`static_url("style.css")` -> `/static/style.css?v=<its content's hash>`: a new version
    is a new address, so browsers and proxies may keep each one for a year (StaticCaching)."""
    folder = resource_dir("static")
    versions = {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for path in folder.iterdir()
        if path.is_file()
    }
    return lambda name: f"/static/{name}?v={versions[name]}" if name in versions else name


class StaticCaching:
    """`Cache-Control` for /static/: a year, immutable, for an address carrying its content's
    hash (`?v=`); otherwise revalidate each time (StaticFiles answers with ETags)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        versioned = b"v=" in scope.get("query_string", b"")
        policy = "public, max-age=31536000, immutable" if versioned else "no-cache"

        async def with_policy(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                MutableHeaders(scope=message)["Cache-Control"] = policy
            await send(message)

        await self.app(scope, receive, with_policy)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    GuardedProtocol.max_per_client = settings.max_connections_per_client
    archive = open_archive(settings)
    store, search_engine = archive.store, archive.engine

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        follower = None
        if isinstance(search_engine, DerivedIndex):
            follower = IndexFollower(search_engine, store)
            follower.start()
            _app.state.index_state = follower.lag
        meaning = _app.state.search_service.meaning
        meaning_follower = None
        if meaning is not None and meaning.folder is not None:
            # a large archive's meaning index on disk, written again once talks written since
            # hold ivf.REBUILD_SHARE of the passages (they are searched exactly until then)
            meaning_follower = IndexFollower(meaning, store, MEANING_FOLLOW_SECONDS)
            meaning_follower.start()
        try:
            yield
        finally:
            if follower is not None:
                follower.stop()
            if meaning_follower is not None:
                meaning_follower.stop()

    app = FastAPI(
        title="Talk archive",
        description="Search talks by what was said; every hit links to the second it was said.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served below from the installed fastapi-offline (Swagger UI 5)
        redoc_url=None,
        redirect_slashes=False,  # TrailingSlashRedirect answers them with a relative address
    )
    app.state.settings = settings
    app.state.store = store
    app.state.templates = templates()
    aliases = read_topic_aliases(Path(settings.topic_aliases)) if settings.topic_aliases else {}
    app.state.catalogue = CatalogueCache(store, topic_aliases=aliases)

    try:
        search_engine.sync(store)  # repairs an index left behind by a crash
    except Exception:  # another process (an ingest, another worker) holds the index's writer
        log.warning("could not bring the %s index in step now", search_engine.name, exc_info=True)
    app.state.search_service = search_service(settings, search_engine)
    if app.state.search_service.meaning is not None:
        try:  # a large archive's meaning index, written here when this node has none
            written = app.state.search_service.meaning.refresh(store)
            if written:
                log.info("%s", written)
        except Exception:
            log.warning("could not write the meaning index now", exc_info=True)
    app.state.metrics = Metrics()
    app.state.search_service.on_search = app.state.metrics.searched
    if app.state.search_service.meaning is None and settings.semantic:
        log.info("%s", app.state.search_service.meaning_off)

    install_error_handlers(app)
    app.include_router(operations.router)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=resource_dir("static")), name="static")
    swagger_ui = Path(str(resources.files("fastapi_offline").joinpath("static")))
    app.mount("/docs-assets", StaticFiles(directory=swagger_ui), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(app.state.templates.get_template("api_docs.html").render())

    if settings.media_dir:
        app.mount("/media", StaticFiles(directory=settings.media_dir), name="media")

    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.add_middleware(StaticCaching)
    app.add_middleware(SecurityHeaders)

    app.add_middleware(TrailingSlashRedirect)
    app.add_middleware(NoNulBytes)
    app.add_middleware(HeadAsGet)
    app.add_middleware(RequestMetrics, metrics=app.state.metrics)

    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if origins:
        app.add_middleware(ApiCors, origins=origins)
    # everything built so far lives as long as the app: keep the garbage collector from
    # walking it again on every full collection (pauses of tens of ms in the middle of a search)
    gc.freeze()
    return app
