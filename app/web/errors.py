"""One error type; JSON `{"error": {"status", "message"}}` under /api/, an HTML page elsewhere."""

import logging
import sqlite3
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


class AppError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class TalkMoved(Exception):
    """A talk's old slug (from before its transcripts merged): redirects to the new one."""

    def __init__(self, slug: str, moved_to: str) -> None:
        super().__init__(slug)
        self.slug = slug
        self.moved_to = moved_to


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    if _is_api(request):
        return JSONResponse(
            {"error": {"status": status, "message": message}}, status_code=status, headers=headers
        )
    templates = request.app.state.templates
    return HTMLResponse(
        templates.get_template("error.html").render(
            request=request, status=status, message=message
        ),
        status_code=status,
        headers=headers,
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError) -> Response:
        return error_response(request, exc.status, exc.message)

    @app.exception_handler(TalkMoved)
    async def talk_moved(request: Request, exc: TalkMoved) -> Response:
        # the segment after `talks` is the slug: built from the parts, not by replacing the first
        # match (an old slug `talks` would have replaced the word `talks` in the path)
        parts = request.url.path.split("/")
        at = next(
            (i for i in range(1, len(parts)) if parts[i - 1] == "talks" and parts[i] == exc.slug),
            None,
        )
        if at is None:
            return error_response(request, 404, "There is no page at this address.")
        parts[at] = quote(exc.moved_to, safe="")
        path = "/" + "/".join(p for p in parts if p)
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(path + query, status_code=301)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "Request failed"
        if exc.status_code == 404 and message == "Not Found":
            message = "There is no page at this address."
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = "GET, HEAD"  # RFC 9110: a 405 says what the resource allows
            message = "This address only answers GET (and HEAD)."
        return error_response(request, exc.status_code, message, headers or None)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        parts = []
        for e in exc.errors():
            where = ".".join(str(x) for x in e.get("loc", ())[1:]) or "request"
            parts.append(f"{where}: {e.get('msg')}")
        return error_response(request, 422, "; ".join(parts) or "invalid request")

    async def database_unavailable(request: Request, exc: Exception) -> Response:
        log.error("database error on %s: %s", request.url.path, exc)
        return error_response(
            request, 503, "The archive's database is not answering right now; try again shortly."
        )

    for unavailable in (DBAPIError, sqlite3.OperationalError, *_driver_errors()):
        app.add_exception_handler(unavailable, database_unavailable)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return error_response(request, 500, "Something went wrong on our side.")


def _driver_errors() -> tuple[type[Exception], ...]:
    """PostgreSQL's driver's errors, when it is installed (the postgres extra)."""
    try:
        import psycopg
    except ImportError:
        return ()
    return (psycopg.OperationalError,)
