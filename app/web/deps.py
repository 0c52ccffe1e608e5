"""Request dependencies: settings, the store and an ORM session, the search service, and talk
lookups that 404."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from app.catalogue import Catalogue
from app.config import Settings, get_settings
from app.models import Talk
from app.search.service import SearchService
from app.store import Store
from app.store.catalog import alias_target, get_talk
from app.web.errors import AppError, TalkMoved


async def get_store(request: Request) -> Store:  # async: no thread-pool trip
    return request.app.state.store


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.store.session() as session:
        yield session


async def get_service(request: Request) -> SearchService:  # async: no thread-pool trip
    return request.app.state.search_service


def get_catalogue(request: Request) -> Catalogue:
    return request.app.state.catalogue.current()


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
SessionDep = Annotated[Session, Depends(get_session)]
ServiceDep = Annotated[SearchService, Depends(get_service)]
CatalogueDep = Annotated[Catalogue, Depends(get_catalogue)]


def get_talk_or_404(session: SessionDep, slug: Annotated[str, Path(max_length=200)]) -> Talk:
    talk = get_talk(session, slug)
    if talk is None:
        moved_to = alias_target(session, slug)
        if moved_to is not None:
            raise TalkMoved(slug, moved_to)
        raise AppError(404, f"No talk is called {slug!r}.")
    return talk


TalkDep = Annotated[Talk, Depends(get_talk_or_404)]
