"""The `talks` command: ingest transcripts, serve the archive, search from the terminal."""

import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from app.config import get_settings
from app.db import open_database
from app.ingest.files import transcript_files
from app.ingest.loader import load_files
from app.logging_setup import configure_logging
from app.search.engine import ENGINES, get_engine
from app.search.service import SearchService

cli = typer.Typer(
    add_completion=False, no_args_is_help=True, help=__doc__, pretty_exceptions_enable=False
)
err = Console(stderr=True, highlight=False)
out = Console(highlight=False, soft_wrap=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="SQLAlchemy URL; default: env TALKS_DB, then sqlite:///data/talks.db"
    ),
]


EngineOption = Annotated[
    str | None,
    typer.Option("--engine", help="fts5, tantivy or whoosh; default: env TALKS_ENGINE, then fts5"),
]


def _db_url(db: str | None) -> str:
    return db or get_settings().db


def _engine_name(engine: str | None) -> str:
    name = engine or get_settings().engine
    if name not in ENGINES:
        raise typer.BadParameter(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")
    return name


@cli.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Transcript files or folders (recursive).")],
    db: DbOption = None,
    engine: EngineOption = None,
) -> None:
    """Load transcripts into the archive. Unchanged files are skipped; changed ones replace
    their talk. Exits non-zero when any file failed (one line per failed file)."""
    configure_logging("WARNING")
    began = time.perf_counter()
    files, missing = transcript_files(paths)
    url = _db_url(db)
    search_engine = get_engine(_engine_name(engine), url)
    with open_database(url, writer=True) as database:
        with database.begin() as conn:
            search_engine.sync(conn)  # first repair what a crashed run left behind
        if sys.stderr.isatty() and files:
            with Progress(
                TextColumn("[bold]ingest"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=err,
                transient=True,
            ) as progress:
                task = progress.add_task("", total=len(files))

                def advance(path: Path) -> None:
                    progress.update(task, advance=1, description=path.name[:40])

                report = load_files(database, search_engine, files, on_file=advance)
        else:
            report = load_files(database, search_engine, files)
        with database.begin() as conn:
            search_engine.sync(conn)
    for line in [*missing, *report.errors]:
        err.print(f"error: {line}", markup=False, soft_wrap=True)
    elapsed = time.perf_counter() - began
    failed = report.failed + len(missing)
    out.print(
        f"{report.files} files: {report.new} new, {report.updated} updated, "
        f"{report.unchanged} unchanged, {failed} failed; "
        f"{report.segments} segments; {elapsed:.1f}s",
        markup=False,
    )
    if failed:
        raise typer.Exit(1)


@cli.command()
def serve(
    db: DbOption = None,
    engine: EngineOption = None,
    host: Annotated[str | None, typer.Option(help="Address to bind (env TALKS_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (env TALKS_PORT).")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the web pages and the JSON API."""
    import os

    import uvicorn

    settings = get_settings()
    url = _db_url(db)
    os.environ["TALKS_DB"] = url  # the app factory reads settings; workers inherit these
    os.environ["TALKS_ENGINE"] = _engine_name(engine)
    get_settings.cache_clear()
    configure_logging(settings.log_level)
    with open_database(url, writer=True) as database, database.begin() as conn:
        get_engine(_engine_name(engine), url).sync(conn)  # migrate and repair before serving
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level=settings.log_level.lower(),
        access_log=False,
    )


@cli.command()
def search(
    query: Annotated[str, typer.Argument(help='Words, "a phrase", -exclude, a OR b, prefix*.')],
    db: DbOption = None,
    engine: EngineOption = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
) -> None:
    """Print the top hits with their times and links."""
    configure_logging("WARNING")
    settings = get_settings()
    url = _db_url(db)
    search_engine = get_engine(_engine_name(engine), url)
    service = SearchService(search_engine, settings.query_time_limit_ms, settings.slow_query_ms)
    with open_database(url) as database, database.connect() as conn:
        result = service.search(conn, query, limit=limit)
    if result.corrected_query:
        out.print(f"Showing results for: {result.corrected_query}", markup=False)
    for note in result.notes:
        out.print(note, markup=False)
    about = "" if result.total_exact else "about "
    noun = "hit" if result.total == 1 else "hits"
    out.print(f"{about}{result.total} {noun} ({result.elapsed_ms:.0f} ms)", markup=False)
    for hit in result.hits:
        minutes, seconds = divmod(int(hit.start), 60)
        hours, minutes = divmod(minutes, 60)
        clock = f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
        who = f" — {hit.speaker}" if hit.speaker else ""
        out.print(f"\n{hit.talk.title} [{clock}]{who}", markup=False)
        out.print(f"  {hit.text}", markup=False)
        out.print(f"  {hit.url}" + (f"  {hit.video_url}" if hit.video_url else ""), markup=False)


@cli.command()
def reindex(db: DbOption = None, engine: EngineOption = None) -> None:
    """Rebuild the search index from the database (an index outside SQLite is derived data)."""
    configure_logging("WARNING")
    began = time.perf_counter()
    url = _db_url(db)
    search_engine = get_engine(_engine_name(engine), url)
    with open_database(url, writer=True) as database, database.begin() as conn:
        talks = search_engine.rebuild(conn)
    out.print(
        f"reindexed {talks} talks with {search_engine.name}; {time.perf_counter() - began:.1f}s",
        markup=False,
    )


def main() -> None:
    cli()
