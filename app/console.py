"""What the command line prints: one line per error with what to do about it (the traceback with
--debug), progress bars on a terminal, names with their control characters escaped."""

import sys
import time

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from app.config import get_settings
from app.search.meaning.nearest import MeaningSearch
from app.search.meaning.vectors import rebuild_vectors, sync_vectors
from app.search.present.results import SearchResult
from app.store import Store
from app.text.links import clock

err = Console(stderr=True, highlight=False)
out = Console(highlight=False, soft_wrap=True)


def fail(message: str) -> None:
    """One line on stderr and exit status 2; with --debug (or TALKS_LOG_LEVEL=DEBUG), the
    exception being handled is raised instead, traceback and all."""
    if debugging() and sys.exc_info()[1] is not None:
        raise
    err.print(f"error: {printable(message)}", markup=False, soft_wrap=True)
    raise typer.Exit(2)


debug_mode = {"on": False}  # --debug of the command being run


def debugging() -> bool:
    return debug_mode["on"] or get_settings().log_level.upper() == "DEBUG"


def first_line(exc: BaseException) -> str:
    """The error's first line, and what to do about it when that is known."""
    orig = getattr(exc, "orig", None) or exc
    line = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    advice = next((tip for words, tip in ADVICE if any(w in line.lower() for w in words)), None)
    return f"{line} ({advice})" if advice else line


ADVICE = [  # (words of the driver's message, what the operator can do)
    (
        ("file is not a database", "malformed", "not a database"),
        "the file is damaged or not an archive: restore a backup (`talks backup`) or ingest "
        "into a new file",
    ),
    (("disk is full", "no space left"), "free some space and run the command again"),
    (
        ("database is locked",),
        "another process is writing to it: try again when it has finished",
    ),
    (
        ("unable to open database file", "permission denied", "readonly"),
        "check that the file and its folder exist and that this user may read them",
    ),
    (
        ("connection refused", "could not connect", "connection failed", "could not translate"),
        "is the PostgreSQL server running, and is the --db URL right?",
    ),
    (("password authentication failed",), "check the user and password in the --db URL"),
]


def progress_bar(label: str) -> Progress:
    """A progress bar on stderr, shown only on a terminal."""
    return Progress(
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not sys.stderr.isatty(),
    )


def printable(text: str) -> str:
    """`text` with control characters escaped: a file name holding an escape sequence or a newline
    must not rewrite the keeper's terminal or forge a line of the summary."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(unreadable URL)"


def print_result(result: SearchResult) -> None:
    """A search's notes, count and hits, each with its time, speaker, text and links."""
    if result.corrected_query:
        out.print(f"Showing results for: {result.corrected_query}", markup=False)
    for note in result.notes:
        out.print(note, markup=False)
    about = "" if result.total_exact else "about "
    noun = "hit" if result.total == 1 else "hits"
    out.print(f"{about}{result.total} {noun} ({result.elapsed_ms:.0f} ms)", markup=False)
    for hit in result.hits:
        who = f" — {hit.speaker}" if hit.speaker else ""
        why = {"meaning": " (by meaning)", "both": " (words and meaning)"}.get(hit.match, "")
        out.print(f"\n{hit.talk.title} [{clock(hit.start)}]{who}{why}", markup=False)
        out.print(f"  {hit.text}", markup=False)
        for alike in hit.sounds_like:
            said = (
                f'  (the captions say "{alike.heard}": sounds like {alike.query})'
                if alike.heard_in == "captions"
                else f'  (the transcript says "{alike.heard}" for {alike.query})'
            )
            out.print(said, markup=False)
        out.print(f"  {hit.url}" + (f"  {hit.video_url}" if hit.video_url else ""), markup=False)


def embed_vectors(store: Store, meaning: MeaningSearch, rebuild: bool = False) -> str:
    """Meaning vectors for the talks that lack them (all of them with `rebuild`), with a
    progress bar; one line saying what was done (empty when nothing was to do)."""
    began = time.perf_counter()
    sync = rebuild_vectors if rebuild else sync_vectors
    if sys.stderr.isatty():
        with progress_bar("meaning") as progress:
            task = progress.add_task("", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            talks = sync(store, meaning.embedder, advance)
    else:
        talks = sync(store, meaning.embedder)
    written = meaning.refresh(store)  # the index on disk of a large archive
    if not talks and not rebuild:
        return written
    done = f"meaning vectors: {talks} talks embedded; {time.perf_counter() - began:.1f}s"
    return f"{done}\n{written}" if written else done
