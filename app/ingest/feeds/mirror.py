"""A feed's episodes as a folder the ordinary ingest reads: for each episode with a transcript,
`<name>.<ext>` (its richest transcript), `<name>.yaml` (title, date, description, the enclosure
as media_url, persons as speakers, the feed as channel) and `<name>.chapters.json`. What was
fetched is remembered in `.feed.json` (ETag, Last-Modified), so a second run asks the server
only for what changed, and unchanged files keep their bytes (the ingest then skips them)."""

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml
from sqlalchemy.engine import make_url

from app.ingest.detect import decode
from app.ingest.feeds.fetch import Fetcher, FetchError
from app.ingest.feeds.rss import Episode, Feed, read_feed
from app.ingest.prepare import slugify
from app.ingest.transcript import TranscriptError
from app.text.links import host_of

STATE_FILE = ".feed.json"
MAX_NAME = 80


@dataclass
class Mirrored:
    """What a feed gave: its transcript files to ingest, and one line for each failure."""

    files: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    local: set[Path] = field(default_factory=set)  # files beside a feed file that it names


def is_feed_address(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


def feed_folder(feeds_dir: Path, source: str) -> Path:
    """One folder per feed, named after its address (or file) and stable across runs."""
    tag = hashlib.sha1(source.encode()).hexdigest()[:8]
    name = slugify(urlsplit(source).netloc + urlsplit(source).path)[:60].strip("-")
    return feeds_dir / f"{name}-{tag}"


def mirror_feed(
    source: str, feeds_dir: Path, allow_hosts: set[str] | None = None, timeout: float = 20.0
) -> Mirrored:
    """`source`: an http(s) address or a feed file's path. A remote feed's files are fetched
    from its own host, the hosts its channel links name, and `allow_hosts`; a feed file's from
    anywhere (the keeper chose it), and relative addresses from beside it."""
    result = Mirrored()
    remote = is_feed_address(source)
    key = source if remote else str(Path(source).resolve())
    folder = feed_folder(feeds_dir, key)
    state_path = folder / STATE_FILE
    state = _load_state(state_path)
    beside = Path(key).parent  # a feed file's relative addresses never leave its folder
    # the address the keeper gave may redirect anywhere (feed hosts move feeds): any host
    with Fetcher(None, timeout=timeout) as fetcher:
        try:
            feed_text = _feed_text(source, remote, fetcher, state)
            feed = read_feed(feed_text, source if remote else Path(key).as_uri())
        except FetchError as exc:
            result.errors.append(f"{source}: the feed could not be fetched: {exc}")
            return result
        except TranscriptError as exc:
            where = f"{source}:{exc.line}" if exc.line else source
            result.errors.append(f"{where}: {exc.message}")
            return result
        if remote:
            # its files: from the hosts it was asked of and led to, its channel's links, and
            # --allow-host
            led_to = host_of(str(state.get("feed", {}).get("at", "")))
            asked = {host_of(source), led_to} - {""}
            fetcher.allowed_hosts = asked | (allow_hosts or set()) | feed.hosts_named
        folder.mkdir(parents=True, exist_ok=True)
        names: dict[str, str] = state.setdefault("names", {})
        taken = set(names.values())
        without = 0
        for episode in feed.episodes:
            link = episode.best_transcript(feed.language)
            if link is None:
                without += 1
                continue
            name = names.get(episode.guid) or _new_name(episode, taken)
            names[episode.guid] = name
            taken.add(name)
            try:
                transcript = folder / f"{name}{link.suffix}"
                local = _fetch_to(link.url, transcript, fetcher, state, beside, remote)
                if local is not None:
                    result.local.add(local)
            except FetchError as exc:
                result.errors.append(f"{source}: episode {episode.title!r}: {exc}")
                continue
            _write_if_changed(folder / f"{name}.yaml", _sidecar(episode, feed))
            if episode.chapters_url:
                try:
                    local = _fetch_to(
                        episode.chapters_url,
                        folder / f"{name}.chapters.json",
                        fetcher,
                        state,
                        beside,
                        remote,
                    )
                    if local is not None:
                        result.local.add(local)
                except FetchError as exc:
                    result.notes.append(f"{source}: episode {episode.title!r}: no chapters: {exc}")
            result.files.append(transcript)
        if without:
            result.notes.append(
                f"{source}: {without} of {len(feed.episodes)} episodes have no transcript"
            )
    _write_if_changed(state_path, json.dumps(state, indent=1, sort_keys=True).encode())
    return result


def _feed_text(source: str, remote: bool, fetcher: Fetcher, state: dict) -> str:
    if not remote:
        try:
            return decode(Path(source).read_bytes())
        except OSError as exc:
            raise FetchError(f"cannot read: {exc.strerror or exc}") from None
    known = state.get("feed", {})
    fetched = fetcher.fetch(source, known.get("etag"), known.get("last_modified"))
    if fetched.body is None and "text" in known:
        return str(known["text"])
    body = fetched.body or b""
    text = decode(body)
    state["feed"] = {
        "etag": fetched.etag,
        "last_modified": fetched.last_modified,
        "text": text,
        "at": fetched.url,  # where the address led, after redirects
    }
    return text


def _fetch_to(
    url: str, target: Path, fetcher: Fetcher, state: dict, beside: Path, remote: bool
) -> Path | None:
    """Returns the local file copied, for a feed file's relative address."""
    """`url` into `target`, unless the server says it has not changed since the last run."""
    parts = urlsplit(url)
    if parts.scheme == "file" and not remote:
        local = Path(unquote(parts.path)).resolve()
        if not local.is_relative_to(beside.resolve()):
            raise FetchError(f"{url}: outside the feed's folder, not read")
        try:
            _write_if_changed(target, local.read_bytes())
        except OSError as exc:
            raise FetchError(f"{url}: cannot read: {exc.strerror or exc}") from None
        return local
    files: dict[str, dict] = state.setdefault("files", {})
    known = files.get(url, {}) if target.is_file() else {}
    fetched = fetcher.fetch(url, known.get("etag"), known.get("last_modified"))
    if fetched.body is not None:
        _write_if_changed(target, fetched.body)
    files[url] = {"etag": fetched.etag, "last_modified": fetched.last_modified}
    return None


def _new_name(episode: Episode, taken: set[str]) -> str:
    base = slugify(episode.title)[:MAX_NAME].strip("-") or "episode"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    return name


def _sidecar(episode: Episode, feed: Feed) -> bytes:
    meta: dict[str, object] = {"title": episode.title}
    if episode.date:
        meta["date"] = episode.date.isoformat()
    if episode.description:
        meta["description"] = episode.description
    if episode.media_url:
        meta["media_url"] = episode.media_url
    if episode.speakers:
        meta["speakers"] = episode.speakers
    if feed.title:
        meta["channel"] = feed.title
    return yaml.safe_dump(meta, allow_unicode=True, sort_keys=False).encode()


def _write_if_changed(path: Path, data: bytes) -> None:
    """Same bytes, same file: its ingest digest, and so the archive, stay as they were."""
    if path.is_file() and path.read_bytes() == data:
        return
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    partial.replace(path)


def _load_state(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def default_feeds_dir(db_url: str) -> Path:
    """`feeds/` beside a SQLite archive; for a server database, the user's cache folder."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).parent / "feeds"
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "talks" / "feeds"
