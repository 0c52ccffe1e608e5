"""The one place that builds the archive's parts from typed settings: the store, its search
engine and the search service, for the server (app/main.py), the command line (app/cli.py) and
the benchmarks alike."""

from dataclasses import dataclass

from app.config import Settings
from app.search.engines.engine import SearchEngine, get_engine, index_folder
from app.search.meaning.nearest import MeaningSearch, load_meaning
from app.search.service import SearchService
from app.store import Store, open_store


@dataclass
class Archive:
    """A migrated store and the engine that searches it."""

    store: Store
    engine: SearchEngine

    def dispose(self) -> None:
        self.store.dispose()


def open_archive(settings: Settings) -> Archive:
    """The archive `settings.db` names (migrated) with `settings.engine`, or its own engine."""
    engine = get_engine(settings.engine, settings.db, settings.index_dir)
    return Archive(open_store(settings.db, settings.read_db), engine)


def archive_meaning(
    settings: Settings, db_url: str, semantic: bool = True
) -> tuple[MeaningSearch | None, str]:
    """Meaning search for the archive at `db_url` (its index on disk where the engines keep
    theirs), or None and why it is off."""
    folder = index_folder(db_url, "meaning", settings.index_dir)
    return load_meaning(settings.semantic and semantic, folder)


def search_service(
    settings: Settings, engine: SearchEngine, semantic: bool = True
) -> SearchService:
    """The service over `engine`; meaning search when `semantic` and the settings allow it and
    the model is installed (else the service says why it is off)."""
    meaning, meaning_off = archive_meaning(settings, settings.db, semantic)
    return SearchService(
        engine, settings.query_time_limit_ms, settings.slow_query_ms, meaning, meaning_off
    )
