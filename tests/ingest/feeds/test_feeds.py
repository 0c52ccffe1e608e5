"""`talks ingest` given a podcast feed: an address served by a local HTTP server, a feed file,
a feed met in a folder; what is fetched, what is refused, and what a second run asks for."""

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.ingest.feeds.fetch import Fetcher, FetchError
from app.ingest.feeds.rss import read_feed
from app.search.service import SearchService
from app.store import Store, open_store
from tests.conftest import search_engine_of, table_rows
from tests.ingest.feeds.conftest import DATA, FeedSite, example_feed


@pytest.fixture
def feed_runner(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("TALKS_FEED_DIR", str(tmp_path / "feeds"))
    monkeypatch.setenv("TALKS_SEMANTIC", "false")
    return runner


@pytest.fixture
def archive(db_url: str) -> Store:
    store = open_store(db_url)
    yield store
    store.dispose()


def talks_rows(store: Store) -> dict[str, tuple]:
    rows = table_rows(store, "SELECT title, date, media_url, speakers FROM talks ORDER BY title")
    return {row[0]: row[1:] for row in rows}


def test_a_feed_address_gives_one_talk_per_episode_with_a_transcript(
    feed_runner: CliRunner, feed_site: FeedSite, archive: Store
) -> None:
    result = feed_runner.invoke(cli, ["ingest", feed_site.url("feed.xml")])
    assert result.exit_code == 0, result.output
    assert "3 new" in result.output
    talks = talks_rows(archive)
    assert set(talks) == {
        "Episode 1 - The Past",
        "Episode 2 - The Present",
        "Episode 3 - The Future",
    }
    date, media, speakers = talks["Episode 1 - The Past"]
    assert str(date) == "2020-10-07" and media == feed_site.url("file-01.mp3")
    assert "Adam Curry" in str(speakers) and "Dave Jones" in str(speakers)
    assert "Becky Smith" not in str(talks["Episode 3 - The Future"][2])  # the cover artist
    chapters = table_rows(archive, "SELECT c.title FROM chapters c ORDER BY c.ord")
    assert ("Hearing Aids",) in chapters  # episode 2's chapters file
    assert "no chapters" in result.output  # episodes 1 and 3 name chapters the server lacks
    service = SearchService(search_engine_of(archive))
    hit = service.search(archive, "creating good audio is really key").hits[0]
    assert hit.talk.title == "Episode 1 - The Past" and hit.start == 53.0  # the HTML's <time>0:53
    assert hit.speaker == "Sarah"
    hit = service.search(archive, "value for value is here").hits[0]
    assert hit.talk.title == "Episode 3 - The Future" and hit.start == 7.0


def test_a_second_run_asks_only_what_changed_and_adds_new_episodes(
    feed_runner: CliRunner, feed_site: FeedSite, archive: Store
) -> None:
    assert feed_runner.invoke(cli, ["ingest", feed_site.url("feed.xml")]).exit_code == 0
    first = len(feed_site.asked)
    result = feed_runner.invoke(cli, ["ingest", feed_site.url("feed.xml")])
    again = feed_site.asked[first:]
    assert result.exit_code == 0 and "3 unchanged" in result.output, result.output
    assert {
        status
        for path, status in again
        if path != "/ep1_chapters.json" and path != "/ep3_chapters.json"
    } == {304}
    feed = feed_site.files["/feed.xml"].decode()
    new_item = (
        "<item><title>Episode 4 - Later</title><guid>ep4</guid>"
        f'<podcast:transcript url="{feed_site.url("ep4.html")}" type="text/html"/></item>'
    )
    feed_site.files["/feed.xml"] = feed.replace("<item>", new_item + "<item>", 1).encode()
    feed_site.files["/ep4.html"] = b"<time>0:05</time><p>A brand new episode arrives.</p>"
    result = feed_runner.invoke(cli, ["ingest", feed_site.url("feed.xml")])
    assert result.exit_code == 0 and "1 new" in result.output and "3 unchanged" in result.output
    assert "Episode 4 - Later" in talks_rows(archive)


def test_files_on_another_host_are_refused_unless_allowed(
    feed_runner: CliRunner, feed_site: FeedSite, archive: Store
) -> None:
    # the same server under another name: the feed's own host is "localhost"
    local = feed_site.url("feed.xml").replace("127.0.0.1", "localhost")
    feed_site.files["/feed.xml"] = example_feed(feed_site.base).replace(
        b"<link>" + feed_site.base.encode() + b"podcast</link>", b"<link>https://elsewhere/</link>"
    )
    result = feed_runner.invoke(cli, ["ingest", local])
    assert result.exit_code == 1
    assert "not the feed's host" in result.output and "--allow-host" in result.output
    assert talks_rows(archive) == {}
    result = feed_runner.invoke(cli, ["ingest", local, "--allow-host", "127.0.0.1"])
    assert result.exit_code == 0, result.output
    assert len(talks_rows(archive)) == 3


def test_a_missing_transcript_is_one_line_and_the_other_episodes_load(
    feed_runner: CliRunner, feed_site: FeedSite, archive: Store
) -> None:
    del feed_site.files["/ep2/transcript.json"]
    result = feed_runner.invoke(cli, ["ingest", feed_site.url("feed.xml")])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "Episode 2 - The Present" in lines[0] and "HTTP 404" in lines[0]
    assert len(talks_rows(archive)) == 2


def test_an_unreachable_feed_is_one_line(feed_runner: CliRunner, feed_site: FeedSite) -> None:
    result = feed_runner.invoke(cli, ["ingest", feed_site.url("gone.xml")])
    assert result.exit_code == 1
    assert "the feed could not be fetched" in result.output and "HTTP 404" in result.output
    assert "Traceback" not in result.output


def test_a_feed_file_and_a_feed_in_a_folder_read_their_local_transcripts(
    feed_runner: CliRunner, tmp_path: Path, archive: Store
) -> None:
    folder = tmp_path / "show"
    folder.mkdir()
    shutil.copy(DATA / "paragraphs.html", folder / "one.html")
    (folder / "podcast.rss").write_text(
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel><title>Show</title>'
        "<item><title>One</title><guid>1</guid>"
        '<podcast:transcript url="one.html" type="text/html"/></item>'
        "<item><title>Sneaky</title><guid>2</guid>"
        '<podcast:transcript url="../secret.html" type="text/html"/></item>'
        "</channel></rss>"
    )
    (tmp_path / "secret.html").write_text("<time>0:01</time><p>do not publish</p>")
    result = feed_runner.invoke(cli, ["ingest", str(folder / "podcast.rss")])
    assert result.exit_code == 1 and "outside the feed's folder" in result.output
    assert set(talks_rows(archive)) == {"One"}
    # the same feed met in a folder walk: the HTML beside it is read once, as the feed's
    result = feed_runner.invoke(cli, ["ingest", str(folder)])
    assert "1 files: 0 new, 0 updated, 1 unchanged" in result.output, result.output
    assert set(talks_rows(archive)) == {"One"}


def test_fetches_are_bounded_in_size_time_scheme_and_redirects(feed_site: FeedSite) -> None:
    with Fetcher(max_bytes=100) as fetcher, pytest.raises(FetchError, match="larger than"):
        fetcher.fetch(feed_site.url("feed.xml"))
    feed_site.stalled.add("/slow")
    with Fetcher(timeout=0.5) as fetcher, pytest.raises(FetchError, match="no answer within"):
        fetcher.fetch(feed_site.url("slow"))
    feed_site.release.set()
    with Fetcher() as fetcher, pytest.raises(FetchError, match="only http and https"):
        fetcher.fetch("file:///etc/passwd")
    feed_site.redirects["/loop"] = feed_site.url("loop")
    with Fetcher() as fetcher, pytest.raises(FetchError, match="redirects"):
        fetcher.fetch(feed_site.url("loop"))
    feed_site.redirects["/away"] = "http://other.invalid/x"
    with Fetcher({"127.0.0.1"}) as fetcher, pytest.raises(FetchError, match="not the feed's"):
        fetcher.fetch(feed_site.url("away"))


def test_the_richest_transcript_in_the_feeds_language_is_chosen() -> None:
    feed = read_feed((DATA / "feed.xml").read_text(), "https://example.com/feed.xml")
    episode = next(e for e in feed.episodes if e.title.startswith("Episode 3"))
    assert [t.suffix for t in episode.transcripts] == [".txt", ".vtt"]
    assert episode.best_transcript(feed.language).suffix == ".txt"  # the .vtt is in Spanish
    assert episode.best_transcript("es").suffix == ".vtt"


def test_formats_are_listed(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["ingest", "--formats"])
    assert result.exit_code == 0
    for word in ("WebVTT", "TTML", "Podcasting 2.0 HTML", "RSS feed", "AWS Transcribe"):
        assert word in result.output


def test_a_feed_address_that_moved_brings_its_files_from_where_it_led(
    feed_runner: CliRunner, feed_site: FeedSite, archive: Store
) -> None:
    """Feed hosts move feeds: the address given redirects to another host, whose files then
    count as the feed's own (the channel's link names neither)."""
    moved_base = feed_site.base.replace("127.0.0.1", "localhost")
    feed_site.files["/new/feed.xml"] = example_feed(moved_base).replace(
        b"<link>" + moved_base.encode() + b"podcast</link>", b"<link>https://elsewhere/</link>"
    )
    feed_site.redirects["/old/feed.xml"] = moved_base + "new/feed.xml"
    result = feed_runner.invoke(cli, ["ingest", feed_site.url("old/feed.xml")])
    assert result.exit_code == 0, result.output
    assert len(talks_rows(archive)) == 3
