"""`talks reindex` on every backend and engine: the rebuilt index holds every passage once and
finds what it found before."""

from app.search.service import SearchService
from app.store import Store
from tests.conftest import index_rows, search_engine_of


def test_rebuild_gives_back_the_same_index(sample_db: Store) -> None:
    engine = search_engine_of(sample_db)
    before = SearchService(engine).search(sample_db, "go far together", limit=50)
    assert engine.rebuild(sample_db) == 1  # talks
    with sample_db.snapshot() as snapshot:
        passages = snapshot.rows("SELECT count(*) FROM passages")[0][0]
        assert engine.count_passages(snapshot) == passages
    if engine.name in ("fts5", "postgres"):  # the index is a table in the database
        assert index_rows(sample_db) == passages
    assert engine.sync(sample_db) == 0  # nothing left to repair
    after = SearchService(engine).search(sample_db, "go far together", limit=50)
    assert [(h.talk.slug, h.start) for h in after.hits] == [
        (h.talk.slug, h.start) for h in before.hits
    ]
    assert after.total == before.total > 0
