"""The meaning index on disk of a large talks_archive (made small here: the size it starts at is
lowered to one passage): it answers as the exact search does, the talks written since are
searched beside it and its copies of them left out, it is written again when due, and a
damaged one turns into a warning and the exact search."""

from pathlib import Path

import numpy as np
import pytest

from app.search.meaning import ivf
from app.search.meaning.nearest import MeaningSearch
from app.search.meaning.vectors import sync_vectors
from app.search.service import SearchService
from app.store import Store
from tests.conftest import ingest, search_engine_of
from tests.search.test_meaning import LINES, TopicEmbedder, write_talks

QUERIES = ("where do they discuss burnout", "resume screening", "bread in a hot oven")


@pytest.fixture(autouse=True)
def small_is_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ivf, "IVF_MIN_PASSAGES", 1)


@pytest.fixture
def talks_archive(db: Store, tmp_path: Path) -> Store:
    report = ingest(db, write_talks(tmp_path / "talks", LINES))
    assert report.failed == 0, report.errors
    sync_vectors(db, TopicEmbedder())
    return db


def nearest(store: Store, meaning: MeaningSearch, query: str) -> list[tuple[int, float]]:
    with store.snapshot() as snapshot:
        index = meaning.index(snapshot)
        vector = meaning.embed_query(query)
        return [(h.passage_id, round(h.score, 4)) for h in index.nearest(vector, 5)]


def test_the_index_on_disk_answers_as_the_exact_search(
    talks_archive: Store, tmp_path: Path
) -> None:
    exact = MeaningSearch(TopicEmbedder())
    on_disk = MeaningSearch(TopicEmbedder(), tmp_path / "meaning")
    assert on_disk.refresh(talks_archive).startswith("meaning index: ")
    assert ivf.current(tmp_path / "meaning") is not None
    with talks_archive.snapshot() as snapshot:
        layers = on_disk.index(snapshot)
        assert layers.base is not None and len(layers.fresh) == 0 and not layers.left_out
    for query in QUERIES:
        assert nearest(talks_archive, on_disk, query) == nearest(talks_archive, exact, query)
    assert on_disk.refresh(talks_archive) == ""  # nothing written since: nothing to do


def test_the_lists_are_kept_at_four_bits_a_dimension(talks_archive: Store, tmp_path: Path) -> None:
    # the lists file is mapped, and the pages a worker reads count in its resident memory:
    # at 4 bits it is half of 8 bits' (377 MB against 734 at 10,000 hours)
    faiss = pytest.importorskip("faiss", reason="the meaning index needs the semantic extra")
    MeaningSearch(TopicEmbedder(), tmp_path / "meaning").refresh(talks_archive)
    version = ivf.current(tmp_path / "meaning")
    assert version is not None
    lists = faiss.read_index(str(version / "lists.faiss"))
    assert faiss.downcast_index(lists).sq.qtype == faiss.ScalarQuantizer.QT_4bit


def test_talks_written_since_are_searched_beside_it(
    talks_archive: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    meaning = MeaningSearch(TopicEmbedder(), tmp_path / "meaning")
    meaning.refresh(talks_archive)
    more = [*LINES["sunday-bread"], "and after the bread we were all exhausted"]
    report = ingest(talks_archive, write_talks(tmp_path / "talks", {"sunday-bread": more}))
    assert report.failed == 0 and report.updated == 1, report
    sync_vectors(talks_archive, TopicEmbedder())
    meaning.RELOAD_SECONDS = 0.0
    with talks_archive.snapshot() as snapshot:
        layers = meaning.index(snapshot)
        assert layers.base is not None and len(layers.left_out) == 1 and len(layers.fresh) > 0
        (bread,) = set(layers.fresh.talks.tolist())  # the talk as written now, searched exactly
        query = meaning.embed_query("bread in a hot oven")
        stored = snapshot.passage_terms([h.passage_id for h in layers.nearest(query, 10)])
    hits = layers.nearest(meaning.embed_query("bread in a hot oven"), 10)
    assert hits and all(h.passage_id in stored for h in hits)  # no passage of the old version
    assert any(h.talk_id == bread for h in hits)
    service = SearchService(search_engine_of(talks_archive), meaning=meaning)
    result = service.search(talks_archive, "where do they discuss burnout")
    assert result.hits and result.hits[0].talk.slug == "tired-team"
    # due once what the index does not hold passes the share: written again, holding it all
    monkeypatch.setattr(ivf, "REBUILD_SHARE", 0.0)
    assert meaning.refresh(talks_archive).startswith("meaning index: ")
    with talks_archive.snapshot() as snapshot:
        layers = meaning.index(snapshot)
        assert layers.base is not None and len(layers.fresh) == 0 and not layers.left_out
    assert len(list((tmp_path / "meaning").glob("v*"))) == 1  # the older version removed


def test_related_moments_read_vectors_from_the_index(talks_archive: Store, tmp_path: Path) -> None:
    meaning = MeaningSearch(TopicEmbedder(), tmp_path / "meaning")
    meaning.refresh(talks_archive)
    service = SearchService(search_engine_of(talks_archive), meaning=meaning)
    hits = service.related(talks_archive, "hiring-loop", 30.0)
    exact = SearchService(search_engine_of(talks_archive), meaning=MeaningSearch(TopicEmbedder()))
    assert [(h.talk.slug, h.start) for h in hits] == [
        (h.talk.slug, h.start) for h in exact.related(talks_archive, "hiring-loop", 30.0)
    ]
    assert hits and "hiring-loop" not in {h.talk.slug for h in hits}


def test_a_damaged_index_is_a_warning_and_the_exact_search(
    talks_archive: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    meaning = MeaningSearch(TopicEmbedder(), tmp_path / "meaning")
    meaning.refresh(talks_archive)
    version = ivf.current(tmp_path / "meaning")
    assert version is not None
    (version / "lists.faiss").write_bytes(b"\0" * 64)
    fresh = MeaningSearch(TopicEmbedder(), tmp_path / "meaning")
    exact = MeaningSearch(TopicEmbedder())
    assert nearest(talks_archive, fresh, QUERIES[0]) == nearest(talks_archive, exact, QUERIES[0])
    assert "searching exactly" in caplog.text


def test_a_small_archive_writes_no_index(
    talks_archive: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ivf, "IVF_MIN_PASSAGES", 10_000)
    meaning = MeaningSearch(TopicEmbedder(), tmp_path / "meaning")
    assert meaning.refresh(talks_archive) == ""
    assert not (tmp_path / "meaning").exists()  # nothing written beside it, not even a lock
    assert np.isfinite([s for _, s in nearest(talks_archive, meaning, QUERIES[1])]).all()
