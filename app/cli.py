"""The `talks` command: ingest transcripts, serve the archive, search from the terminal."""

import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from app.catalogue import read_topic_aliases
from app.config import get_settings
from app.console import (
    debug_mode,
    embed_vectors,
    err,
    fail,
    first_line,
    out,
    print_result,
    printable,
    progress_bar,
    safe_url,
)
from app.ingest.detect import FORMATS_TABLE
from app.ingest.feeds.mirror import default_feeds_dir
from app.ingest.feeds.sources import gather_sources
from app.ingest.loader import load_files, vanished_sources
from app.ingest.loader import prune as prune_sources
from app.logging_setup import configure_logging
from app.search.engines.engine import ENGINES, SearchEngine
from app.store import Store, StoreError
from app.store.copy import copy_archive
from app.wiring import archive_meaning, open_archive, search_service

cli = typer.Typer(
    add_completion=False, no_args_is_help=True, help=__doc__, pretty_exceptions_enable=False
)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="SQLAlchemy URL; default: env TALKS_DB, then sqlite:///data/talks.db"
    ),
]


EngineOption = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help="fts5, postgres, tantivy or whoosh; default: env TALKS_ENGINE, then the "
        "database's own (fts5 for SQLite, postgres for PostgreSQL)",
    ),
]


def _db_url(db: str | None) -> str:
    return db or get_settings().db


def _engine_name(engine: str | None) -> str | None:
    name = engine or get_settings().engine
    if name is not None and name not in ENGINES:
        raise typer.BadParameter(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")
    return name


@contextmanager
def _archive(url: str, engine: str | None = None) -> Iterator[tuple[Store, SearchEngine]]:
    """The migrated store and its search engine; a database that cannot be opened or used is
    one line on stderr (exit status 2), not a traceback."""
    settings = get_settings().model_copy(update={"db": url, "engine": _engine_name(engine)})
    try:
        archive = open_archive(settings)
        store, search_engine = archive.store, archive.engine
    except StoreError as exc:
        fail(str(exc))
    except (DBAPIError, SQLAlchemyError, OSError) as exc:
        fail(f"cannot open the archive {safe_url(url)}: {first_line(exc)}")
    try:
        yield store, search_engine
    except StoreError as exc:
        fail(str(exc))
    except DBAPIError as exc:
        fail(f"the archive {safe_url(url)} failed: {first_line(exc)}")
    finally:
        store.dispose()


def _print_version(wanted: bool) -> None:
    if wanted:
        from importlib.metadata import version

        out.print(f"talks {version('talks')}", markup=False)
        raise typer.Exit()


@cli.callback()
def _options(
    debug: Annotated[
        bool,
        typer.Option("--debug", help="Show the traceback of an error (TALKS_LOG_LEVEL=DEBUG)."),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_print_version, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    debug_mode["on"] = debug


@cli.command()
def ingest(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Transcript files, folders (recursive), podcast feed files or feed addresses "
            "(https://…/feed.xml).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    engine: EngineOption = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="A file whose slug belongs to a talk from another file replaces that talk "
            "(without it, the file is refused).",
        ),
    ] = False,
    follow_symlinks: Annotated[
        bool,
        typer.Option(
            "--follow-symlinks",
            help="Read linked files, folders and sidecars inside the folders given (without "
            "it they are skipped: a link may point outside them, and what is read is published).",
        ),
    ] = False,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            help="A host a remote feed's transcripts and chapters may be fetched from, besides "
            "the feed's own (repeatable).",
        ),
    ] = None,
    formats: Annotated[
        bool, typer.Option("--formats", help="List the formats read, and exit.")
    ] = False,
) -> None:
    """Load transcripts into the archive. Unchanged files are skipped; changed ones replace
    their talk. Exits non-zero when any file failed (one line per failed file)."""
    if formats:
        out.print(FORMATS_TABLE, markup=False)
        return
    if not paths:
        fail("give transcript files, folders or feeds to ingest (--formats lists what is read)")
    configure_logging("WARNING")
    began = time.perf_counter()
    skipped: list[str] = []
    url = _db_url(db)
    settings = get_settings()
    feeds_dir = Path(settings.feed_dir) if settings.feed_dir else default_feeds_dir(url)
    hosts = {h.lower() for h in allow_host or []}
    sources = gather_sources(paths, feeds_dir, hosts, follow_symlinks, skipped)
    files, missing = sources.files, sources.errors
    with _archive(url, engine) as (store, search_engine):
        search_engine.sync(store)  # first repair what a crashed run left behind
        if sys.stderr.isatty() and files:
            with progress_bar("ingest") as progress:
                task = progress.add_task("", total=len(files))

                def advance(path: Path) -> None:
                    progress.update(task, advance=1, description=path.name[:40])

                report = load_files(
                    store, search_engine, files, advance, replace, follow_symlinks=follow_symlinks
                )
        else:
            report = load_files(
                store, search_engine, files, replace=replace, follow_symlinks=follow_symlinks
            )
        search_engine.sync(store)
        embedded = ""
        if not report.stopped:
            meaning, why = archive_meaning(get_settings(), url)
            embedded = embed_vectors(store, meaning) if meaning is not None else why
    for line in skipped:
        err.print(f"skipped: {printable(line)}", markup=False, soft_wrap=True)
    for line in [*sources.notes, *report.notes]:
        err.print(f"note: {printable(line)}", markup=False, soft_wrap=True)
    for line in [*missing, *report.errors]:
        err.print(f"error: {printable(line)}", markup=False, soft_wrap=True)
    elapsed = time.perf_counter() - began
    failed = report.failed + len(missing)
    out.print(
        f"{report.files} files: {report.new} new, {report.updated} updated, "
        f"{report.unchanged} unchanged, {failed} failed; "
        f"{report.segments} segments; {elapsed:.1f}s",
        markup=False,
    )
    if embedded:
        out.print(embedded, markup=False)
    if report.stopped:
        err.print(
            f"error: stopped: {report.stopped}; the {report.new + report.updated} talks stored "
            f"before are whole; {report.not_tried} files were not tried: free space (or bring "
            "the database back) and run the same command again",
            markup=False,
            soft_wrap=True,
        )
    if failed:
        raise typer.Exit(1)


@cli.command()
def prune(
    db: DbOption = None,
    engine: EngineOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="Remove them (else only list them).")] = False,
) -> None:
    """List transcripts whose files are gone; with --yes, remove them (a talk keeps its other
    transcripts, and goes when it has none)."""
    configure_logging("WARNING")
    url = _db_url(db)
    with _archive(url, engine) as (store, search_engine):
        gone = vanished_sources(store)
        for source in gone:
            line = f"{'removing' if yes else 'gone'}: {printable(source)}"
            out.print(line, markup=False, soft_wrap=True)
        if yes and gone:
            removed = prune_sources(store, search_engine, gone)
            search_engine.sync(store)
            out.print(f"{removed} transcripts removed", markup=False)
        elif gone:
            out.print(f"{len(gone)} transcripts whose files are gone; --yes removes them")
        else:
            out.print("every stored transcript's file is where it was ingested from")


@cli.command()
def serve(
    db: DbOption = None,
    engine: EngineOption = None,
    host: Annotated[str | None, typer.Option(help="Address to bind (env TALKS_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (env TALKS_PORT).")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the web pages and the JSON API."""
    import functools

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from app.main import create_app
    from app.web.http_protocol import (
        KEEP_ALIVE_SECONDS,
        MAX_CONNECTIONS,
        SHUTDOWN_SECONDS,
        GuardedProtocol,
    )

    url = _db_url(db)
    settings = get_settings().model_copy(
        update={
            "db": url,
            "engine": _engine_name(engine),
            "host": host or get_settings().host,
            "port": port or get_settings().port,
        }
    )
    configure_logging(settings.log_level)
    if settings.topic_aliases:
        try:
            read_topic_aliases(Path(settings.topic_aliases))
        except ValueError as exc:
            fail(str(exc))
    with _archive(url, settings.engine) as (store, search_engine):
        search_engine.sync(store)  # migrate and repair before serving
    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again with the handler
    # found before it: this one makes that a clean exit (status 0, as with several workers)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    config = uvicorn.Config(
        # the settings travel to each worker with the factory (pickled), not through os.environ
        functools.partial(create_app, settings),
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_level=settings.log_level.lower(),
        access_log=False,
        timeout_graceful_shutdown=SHUTDOWN_SECONDS,
        http=GuardedProtocol,  # whole requests within 10 s, no bodies, connections per client
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        limit_concurrency=MAX_CONNECTIONS,  # past this many, 503 at once instead of a queue
    )
    server = uvicorn.Server(config)
    if workers > 1:  # what uvicorn.run does, which takes only an import string for workers
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        server.run()
        if not server.started:
            raise typer.Exit(3)


class SearchMode(StrEnum):
    auto = "auto"
    words = "words"
    meaning = "meaning"


@cli.command()
def search(
    query: Annotated[str, typer.Argument(help='Words, "a phrase", -exclude, a OR b, prefix*.')],
    db: DbOption = None,
    engine: EngineOption = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
    mode: Annotated[
        SearchMode,
        typer.Option(help="words, meaning, or auto (words for a quote, both for a subject)."),
    ] = SearchMode.auto,
) -> None:
    """Print the top hits with their times and links."""
    configure_logging("WARNING")
    settings = get_settings()
    url = _db_url(db)
    with _archive(url, engine) as (store, search_engine):
        service = search_service(settings, search_engine, mode is not SearchMode.words)
        result = service.search(store, query, limit=limit, mode=mode.value)

    print_result(result)


@cli.command()
def reindex(
    db: DbOption = None,
    engine: EngineOption = None,
    semantic: Annotated[
        bool,
        typer.Option(
            "--semantic", help="Compute every talk's meaning vectors again (not the word index)."
        ),
    ] = False,
) -> None:
    """Rebuild the search index from the database (an index outside SQLite is derived data),
    or with --semantic the meaning vectors."""
    configure_logging("WARNING")
    began = time.perf_counter()
    url = _db_url(db)
    with _archive(url, engine) as (store, search_engine):
        if semantic:
            meaning, why = archive_meaning(get_settings(), url)
            if meaning is None:
                fail(why)
            out.print(embed_vectors(store, meaning, rebuild=True), markup=False)
            return
        talks = search_engine.rebuild(store)
    out.print(
        f"reindexed {talks} talks with {search_engine.name}; {time.perf_counter() - began:.1f}s",
        markup=False,
    )


@cli.command()
def copy(
    source: Annotated[str, typer.Option("--from", help="URL of the archive to copy.")],
    target: Annotated[str, typer.Option("--to", help="URL of the archive to copy into.")],
) -> None:
    """Copy an archive into another database (e.g. SQLite to PostgreSQL), talk by talk.
    Rerunning it copies only what is missing or changed; counts are compared at the end."""
    configure_logging("WARNING")
    began = time.perf_counter()
    with _archive(source) as (source_store, _), _archive(target) as (target_store, index):
        with progress_bar("copy") as progress:
            task = progress.add_task("", total=None)
            report = copy_archive(
                source_store,
                target_store,
                index,
                on_talk=lambda slug: progress.update(task, advance=1, description=slug[:40]),
                before=lambda total: progress.update(task, total=total),
            )
        index.sync(target_store)
    for line in report.mismatches:
        err.print(f"error: counts differ: {line}", markup=False)
    out.print(
        f"{report.talks} talks: {report.copied} copied, {report.unchanged} already there; "
        f"counts {'differ' if report.mismatches else 'match'}; "
        f"{time.perf_counter() - began:.1f}s",
        markup=False,
    )
    if report.mismatches:
        raise typer.Exit(1)


@cli.command()
def backup(
    dest: Annotated[Path, typer.Argument(help="A new file for the copy.")],
    db: DbOption = None,
) -> None:
    """A consistent copy of a SQLite archive into a new file, safe while `talks serve` or an
    ingest runs (search indexes outside SQLite are rebuilt from it with `talks reindex`)."""
    configure_logging("WARNING")
    began = time.perf_counter()
    url = _db_url(db)
    with _archive(url) as (store, _):
        size = store.backup(dest)
    out.print(
        f"backed up {safe_url(url)} to {dest} ({size / 1e6:.1f} MB); "
        f"{time.perf_counter() - began:.1f}s",
        markup=False,
    )


def main() -> None:
    cli()
