"""Request dependencies: settings, a database connection or session, the search service, and
talk lookups that 404."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from app.catalog import get_talk
from app.config import Settings, get_settings
from app.models import Talk
from app.search.service import SearchService
from app.web.errors import AppError


def get_connection(request: Request) -> Iterator[Connection]:
    with request.app.state.engine.connect() as conn:
        yield conn


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


async def get_service(request: Request) -> SearchService:  # async: no thread-pool trip
    return request.app.state.search_service


SettingsDep = Annotated[Settings, Depends(get_settings)]
ConnectionDep = Annotated[Connection, Depends(get_connection)]
SessionDep = Annotated[Session, Depends(get_session)]
ServiceDep = Annotated[SearchService, Depends(get_service)]


def get_talk_or_404(session: SessionDep, slug: Annotated[str, Path(max_length=200)]) -> Talk:
    talk = get_talk(session, slug)
    if talk is None:
        raise AppError(404, f"No talk is called {slug!r}.")
    return talk


TalkDep = Annotated[Talk, Depends(get_talk_or_404)]
