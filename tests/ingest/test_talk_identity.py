"""Several transcripts of one talk, on both backends: files that share a YouTube id are one
talk whatever the order they arrive in; a quote is found once, in the edited words, at the
caption's second; a file that would take another talk's slug is refused."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.ingest.files import transcript_files
from app.ingest.loader import load_files
from app.main import create_app
from app.search.engines.engine import get_engine
from app.search.service import SearchService
from app.store import Store, open_store
from tests.conftest import BACKENDS, ingest, search_engine_of, table_rows

EDITED = """---
title: 'Sorting in practice'
ids:
  youtube: abcdefghijk
guests: [Ada Lovelace]
transcript:
- header: Opening
- line: Welcome to the show. Today we talk about sorting lists in Python with my guest.
  sec: 0
  who: Alexey
- line: Thanks for having me. The sorting algorithm behind Python is called Timsort and most
    people never need to know how it works inside. You can still sort lists every day.
  sec: 10
  who: Ada
- line: And what about Kaggle competitions, do they help people learn?
  sec: 40
  who: Alexey
---
"""
CAPTIONS = """0:00 welcome to the show today we talk
0:04 about sorting lists in python with my guest
0:10 thanks for having me the sorting
0:14 algorithm behind python is called team sword
0:19 and most people never need to know
0:23 how it works inside you can still sort
0:27 lists every day
0:40 and what about cattle competitions do they
0:44 help people learn
"""


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


def write_pair(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    edited = folder / "sorting-in-practice.md"
    edited.write_text(EDITED)
    captions = folder / "sorting-captions.txt"
    captions.write_text(CAPTIONS)
    (folder / "sorting-captions.yaml").write_text("youtube_id: abcdefghijk\n")
    return edited, captions


def search(db: Store, q: str):  # type: ignore[no-untyped-def]
    return SearchService(search_engine_of(db)).search(db, q, limit=10)


def test_transcripts_sharing_a_youtube_id_are_one_talk(db: Store, tmp_path: Path) -> None:
    edited, captions = write_pair(tmp_path / "talks")
    assert ingest(db, captions).new == 1
    report = ingest(db, edited)
    assert report.failed == 0 and report.updated == 1  # joined the captions' talk
    assert table_rows(db, "SELECT slug, title FROM talks") == [
        ("sorting-in-practice", "Sorting in practice")
    ]
    kinds = table_rows(db, "SELECT kind FROM transcripts ORDER BY kind")
    assert kinds == [("captions",), ("edited",)]


def test_a_quote_is_found_once_in_the_edited_words_at_the_captions_second(
    db: Store, tmp_path: Path
) -> None:
    ingest(db, *write_pair(tmp_path / "talks"))
    exact = search(db, '"algorithm behind python is called timsort"')
    (hit,) = exact.hits
    assert hit.start == 14.0  # the caption line's second, not a guess inside the 30 s turn
    assert hit.speaker == "Ada Lovelace" and hit.transcript and hit.transcript.kind == "edited"
    misheard = search(db, "the sorting behind python is called team sword")
    first = misheard.hits[0]
    assert first.start == 10.0  # "the sorting" ends the caption line of 0:10
    assert "Timsort" in first.text and "team sword" not in first.text  # shown in edited words
    assert first.also_in == ["captions"]
    (only_misheard,) = [h for h in search(db, "team sword").hits if h.match == "words"]
    assert only_misheard.start == 14.0 and "<mark>Timsort</mark>" in only_misheard.snippet
    kaggle = search(db, "cattle competitions")
    assert kaggle.hits[0].start == 40.0 and "Kaggle" in kaggle.hits[0].text


def test_ingest_order_does_not_matter(db: Store, db_url: str, tmp_path: Path) -> None:
    edited, captions = write_pair(tmp_path / "talks")
    ingest(db, edited, captions)
    other_url = f"sqlite:///{tmp_path / 'other.db'}" if db.backend == "sqlite" else db_url + "_x"
    if db.backend != "sqlite":
        pytest.skip("the other order is checked on SQLite (one PostgreSQL database per test)")
    other = open_store(other_url)
    try:
        engine = get_engine(None, other_url)
        files, _ = transcript_files([captions, edited])
        load_files(other, engine, files)
        query = (
            "SELECT t.slug, s.ord, s.start, s.speaker, s.text FROM segments s "
            "JOIN talks t ON t.id = s.talk_id ORDER BY s.ord"
        )
        assert table_rows(db, query) == table_rows(other, query)
        for q in ("team sword", '"called timsort"', "kaggle competitions"):
            a = search(db, q).hits
            b = SearchService(engine).search(other, q, limit=10).hits
            assert [(h.start, h.text) for h in a] == [(h.start, h.text) for h in b], q
    finally:
        other.dispose()


def test_reingesting_one_transcript_changes_only_it(db: Store, tmp_path: Path) -> None:
    edited, captions = write_pair(tmp_path / "talks")
    ingest(db, edited, captions)
    hashes = dict(table_rows(db, "SELECT kind, content_hash FROM transcripts"))
    captions.write_text(CAPTIONS.replace("team sword", "tim sort"))
    report = ingest(db, edited, captions)
    assert (report.unchanged, report.updated) == (1, 1)
    after = dict(table_rows(db, "SELECT kind, content_hash FROM transcripts"))
    assert after["edited"] == hashes["edited"] and after["captions"] != hashes["captions"]
    assert len(table_rows(db, "SELECT id FROM talks")) == 1
    assert search(db, '"tim sort"').hits
    assert all(h.match == "sound" for h in search(db, '"team sword"').hits)  # "tim sort"


def test_another_file_with_the_same_name_is_refused_not_swapped_in(
    db: Store, tmp_path: Path
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "talk.txt").write_text("0:01 the first talk about engines\n")
    (tmp_path / "b" / "talk.txt").write_text("0:01 another talk about compilers\n")
    assert ingest(db, tmp_path / "a" / "talk.txt").new == 1
    files, _ = transcript_files([tmp_path / "b" / "talk.txt"])
    report = load_files(db, search_engine_of(db), files)
    assert report.failed == 1 and "already taken by" in report.errors[0]
    assert "--replace" in report.errors[0]
    assert search(db, "engines").hits and not search(db, "compilers").hits
    # asked for explicitly, the other file replaces that talk under the same slug
    replaced = load_files(db, search_engine_of(db), files, replace=True)
    assert replaced.failed == 0 and replaced.updated == 1
    assert table_rows(db, "SELECT slug FROM talks") == [("talk",)]
    sources = table_rows(db, "SELECT source_path FROM transcripts")
    assert sources == [(str((tmp_path / "b" / "talk.txt").resolve()),)]
    assert search(db, "compilers").hits and not search(db, "engines").hits


def test_a_moved_file_replaces_itself(db: Store, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    first = tmp_path / "a" / "talk.txt"
    first.write_text("0:01 the first talk about engines\n")
    ingest(db, first)
    (tmp_path / "b").mkdir()
    moved = tmp_path / "b" / "talk.txt"
    shutil.move(first, moved)
    assert ingest(db, moved).failed == 0
    assert table_rows(db, "SELECT source_path FROM transcripts") == [(str(moved.resolve()),)]


@pytest.fixture
def merged_client(db: Store, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    edited, captions = write_pair(tmp_path / "talks")
    ingest(db, captions)
    ingest(db, edited)
    app = create_app(Settings(db=db_url, index_dir=str(tmp_path / "indexes")))
    with TestClient(app) as client:
        yield client
    app.state.store.dispose()


def test_the_old_slug_redirects_and_the_api_lists_transcripts(merged_client: TestClient) -> None:
    old = merged_client.get("/talks/sorting-captions?t=14", follow_redirects=False)
    assert old.status_code == 301
    assert old.headers["location"] == "/talks/sorting-in-practice?t=14"
    detail = merged_client.get("/api/talks/sorting-in-practice").json()
    assert [t["kind"] for t in detail["transcripts"]] == ["edited", "captions"]
    assert detail["segments"][1]["speaker"] == "Ada Lovelace"
    times = detail["segments"][1]["word_times"]
    assert times[0] == 10.0 and times == sorted(times)
    captions = merged_client.get("/api/talks/sorting-in-practice?transcript=captions").json()
    assert captions["segments"][3]["text"] == "algorithm behind python is called team sword"
    assert captions["segments"][3]["speaker"] == "Ada Lovelace"  # from the edited turns
    hit = merged_client.get("/api/search", params={"q": "team sword"}).json()["hits"][0]
    assert hit["transcript"]["kind"] == "edited" and hit["also_in"] == ["captions"]
    page = merged_client.get("/talks/sorting-in-practice", params={"t": 14, "q": "timsort"}).text
    assert "<mark>Timsort</mark>" in page and "Watch on YouTube at" in page


def test_a_deleted_file_is_pruned_and_its_talk_keeps_the_others(db: Store, tmp_path: Path) -> None:
    from app.ingest.loader import prune, vanished_sources

    edited, captions = write_pair(tmp_path / "talks")
    ingest(db, edited, captions)
    captions.unlink()
    assert vanished_sources(db) == [str(captions.resolve())]
    assert prune(db, search_engine_of(db), vanished_sources(db)) == 1
    assert table_rows(db, "SELECT kind FROM transcripts") == [("edited",)]
    assert table_rows(db, "SELECT slug FROM talks") == [("sorting-in-practice",)]
    assert not search(db, "team sword").hits and search(db, '"called timsort"').hits
    edited.unlink()
    prune(db, search_engine_of(db), vanished_sources(db))
    assert table_rows(db, "SELECT count(*) FROM talks") == [(0,)]
    assert not search(db, "timsort").hits


def test_pruning_the_leading_transcript_keeps_the_talk_under_a_redirect(
    db: Store, tmp_path: Path
) -> None:
    from app.ingest.loader import prune

    edited, captions = write_pair(tmp_path / "talks")
    ingest(db, edited, captions)
    prune(db, search_engine_of(db), [str(edited.resolve())])
    assert table_rows(db, "SELECT slug FROM talks") == [("sorting-captions",)]
    aliases = table_rows(db, "SELECT slug, talk_slug FROM talk_aliases")
    assert aliases == [("sorting-in-practice", "sorting-captions")]
    assert search(db, "team sword").hits[0].start == 14.0
