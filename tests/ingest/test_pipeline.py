"""A batch prepared ahead in another process stores exactly what the same batch prepared in
this one stores: the same talks, transcripts joined the same way, the same failures; a file the
archive already holds is not parsed; when that process dies the batch goes on without it."""

import multiprocessing
from pathlib import Path

from app.ingest.files import transcript_files
from app.ingest.loader import _store_one, load_files
from app.ingest.pipeline import prepared_files
from app.ingest.prepare import prepare_file
from app.store import Store, open_store
from tests.conftest import search_engine_of, table_rows
from tests.ingest.test_talk_identity import write_pair

ROWS = {
    "talks": "SELECT slug, title, word_count, passage_count, content_hash FROM talks ORDER BY slug",
    "transcripts": "SELECT source_path, talk_slug, kind FROM transcripts ORDER BY source_path",
    "segments": (
        "SELECT t.slug, s.ord, s.start, s.text, tr.source_path FROM segments s "
        "JOIN talks t ON t.id = s.talk_id JOIN transcripts tr ON tr.id = s.transcript_id "
        "ORDER BY t.slug, s.ord"
    ),
    "passages": (
        "SELECT t.slug, p.word_start, p.terms FROM passages p JOIN talks t ON t.id = p.talk_id "
        "ORDER BY t.slug, p.word_start"
    ),
    "vocabulary": "SELECT word, count FROM vocabulary ORDER BY word",
}


def write_batch(folder: Path) -> list[Path]:
    """Talks of their own, two transcripts of one talk (joined by a YouTube id), a bad file."""
    folder.mkdir(parents=True)
    for k in range(6):
        lines = [f"0:{10 * i:02d} talk {k} line {i} about looms number {k * i}" for i in range(5)]
        (folder / f"talk-{k}.txt").write_text("\n".join(lines) + "\n")
    write_pair(folder / "pair")
    (folder / "broken.srt").write_text("1\n00:00:01,000 --> nonsense\nwords\n")
    files, missing = transcript_files([folder])
    assert not missing and len(files) == 9
    return files


def test_a_batch_prepared_ahead_stores_what_one_prepared_here_stores(
    db: Store, tmp_path: Path
) -> None:
    files = write_batch(tmp_path / "talks")
    here = load_files(db, search_engine_of(db), files, ahead=False)
    other_url = f"sqlite:///{tmp_path / 'ahead.db'}"
    other = open_store(other_url)
    try:
        ahead = load_files(other, search_engine_of(other), files, ahead=True)
        assert (ahead.new, ahead.updated, ahead.failed) == (here.new, here.updated, here.failed)
        assert here.failed == 1 and here.updated == 1  # the second transcript joined its talk
        assert ahead.errors == here.errors and "broken.srt:1: not valid SRT" in ahead.errors[0]
        for name, sql in ROWS.items():
            assert table_rows(other, sql) == table_rows(db, sql), name
        orphans = (
            "SELECT count(*) FROM segments WHERE transcript_id IS NULL "
            "OR transcript_id NOT IN (SELECT id FROM transcripts)"
        )
        assert table_rows(other, orphans) == [(0,)]  # each line knows its transcript
        assert len(table_rows(other, ROWS["segments"])) == 6 * 5 + 3 + 9
        again = load_files(other, search_engine_of(other), files, ahead=True)
        assert (again.unchanged, again.failed, again.new) == (8, 1, 0)
    finally:
        other.dispose()


def test_a_file_the_archive_holds_is_not_parsed(tmp_path: Path) -> None:
    files = write_batch(tmp_path / "talks")
    first = list(prepared_files(files, {}, ahead=True))
    stored = {p.source: p.digest for p in first if p.digest}
    again = list(prepared_files(files, stored, ahead=True))
    assert [p.path for p in again] == files
    assert all(p.row is None and p.alone is None for p in again if p.error is None)
    assert [p.error for p in again] == [p.error for p in first]


def test_the_batch_goes_on_when_the_other_process_dies(tmp_path: Path) -> None:
    files = write_batch(tmp_path / "talks")
    batch = prepared_files(files, {}, ahead=True)
    first = next(batch)
    workers = multiprocessing.active_children()
    assert workers, "the batch is prepared in another process"
    for worker in workers:
        worker.kill()
    rest = list(batch)
    prepared = [first, *rest]
    assert [p.path for p in prepared] == files
    assert [p.path.name for p in prepared if p.row is None] == ["broken.srt"]


def test_a_file_changed_after_the_batch_began_is_parsed_then(db: Store, tmp_path: Path) -> None:
    """The digests a batch starts from may be stale (another ingest wrote meanwhile): a file
    taken for unchanged that the archive no longer holds as it is gets parsed and stored."""
    path = write_batch(tmp_path / "talks")[1]
    digest = prepare_file(path, None).digest
    (stale,) = prepared_files([path], {str(path.resolve()): digest})  # the archive held it
    assert stale.row is None and stale.digest == digest
    outcome, stored = _store_one(db, search_engine_of(db), stale, replace=False)
    assert outcome == "new" and stored.row is not None and stored.segments == 5
    assert table_rows(db, "SELECT count(*) FROM segments") == [(5,)]
