"""Tantivy finds a phrase through its adjacent term pairs (a field of their own), then checks
the phrase's positions only in the passages holding every pair: the pairs lead, the phrase
query decides."""

from pathlib import Path

import pytest
import tantivy

from app.search.engines import tantivy_engine
from app.search.engines.derived import STATE_FILE
from app.search.engines.tantivy_engine import TantivyEngine
from app.search.language.plan import MatchPlan, Phrase, Terms
from app.store import Store, StoreError
from tests.conftest import ingest, search_engine_of


@pytest.fixture
def archive() -> tuple[str, str]:
    return ("sqlite", "tantivy")


def _phrase(*words: str) -> MatchPlan:
    return MatchPlan(must=(Phrase(tuple(Terms((w,)) for w in words)),))


def _talk(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.txt"
    path.write_text(f"0:01 {text}\n")
    return path


def test_a_phrase_is_found_only_where_said_though_its_pairs_stand_apart(
    db: Store, tmp_path: Path
) -> None:
    said = _talk(tmp_path, "said", "we kept the green light on all night")
    # every pair of "green light on" is here, but never the three words in a row
    apart = _talk(tmp_path, "apart", "the green light was off and the light on the desk")
    scattered = _talk(tmp_path, "scattered", "light on a green hill and a green light")
    ingest(db, said, apart, scattered)
    engine = search_engine_of(db)
    with db.snapshot() as snapshot:
        found = engine.search(snapshot, _phrase("green", "light", "on"), 10)
        texts = {pid: " ".join(snapshot.passage_terms([pid])[pid][2]) for pid, _ in found}
    assert len(found) == 1, texts
    assert all("green light on" in text for text in texts.values())


def test_an_index_from_before_the_pairs_field_is_made_again_whole(
    db: Store, tmp_path: Path
) -> None:
    ingest(db, _talk(tmp_path, "said", "we kept the green light on all night"))
    folder = search_engine_of(db).folder  # type: ignore[attr-defined]
    state = (folder / STATE_FILE).read_text()
    # the index as the version before wrote it: no pairs field, its state file saying every
    # talk is in it (so a sync alone would rewrite nothing)
    for child in folder.iterdir():
        child.unlink()
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=False, indexed=True, fast=True)
    builder.add_text_field("terms", tokenizer_name="whitespace", index_option="position")
    tantivy.Index(builder.build(), path=str(folder), reuse=True)
    (folder / STATE_FILE).write_text(state)

    engine = TantivyEngine(folder)
    assert engine.sync(db) == 1  # every talk rewritten
    with db.snapshot() as snapshot:
        assert len(engine.search(snapshot, _phrase("green", "light", "on"), 10)) == 1


def test_an_index_from_before_that_cannot_be_made_again_is_one_clear_line(
    db: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "old.tantivy"
    folder.mkdir()
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("terms", tokenizer_name="whitespace", index_option="position")
    tantivy.Index(builder.build(), path=str(folder), reuse=True)

    def refused(path: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tantivy_engine.shutil, "rmtree", refused)
    with pytest.raises(StoreError) as raised:
        TantivyEngine(folder)
    message = str(raised.value)
    assert "predates this version" in message and "Permission denied" in message
    assert "\n" not in message
