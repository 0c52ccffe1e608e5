from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.ingest.prepare import slugify
from app.models import Passage, Segment, Talk
from app.store import Store
from tests.conftest import BACKENDS, index_rows, ingest, table_rows


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


def count(store: Store, model: type) -> int:
    with store.session() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.mark.parametrize(
    ("stem", "slug"),
    [
        ("000_1290f93bafb96edd", "000-1290f93bafb96edd"),
        ("My Talk (2021)", "my-talk-2021-"),
        (
            "from-software-engineer-to-machine-learning",
            "from-software-engineer-to-machine-learning",
        ),
    ],
)
def test_slug_rule(stem: str, slug: str) -> None:
    assert slugify(stem) == slug


def test_rerun_is_a_no_op_and_a_change_replaces_the_talk(db: Store, tmp_path: Path) -> None:
    path = tmp_path / "talk.txt"
    path.write_text("0:01 hello there\n0:03 general kenobi\n")
    first = ingest(db, tmp_path)
    assert (first.new, first.failed) == (1, 0)
    second = ingest(db, tmp_path)
    assert (second.new, second.unchanged) == (0, 1)
    path.write_text("0:01 hello again\n0:03 general grievous\n0:05 and more\n")
    third = ingest(db, tmp_path)
    assert third.updated == 1
    assert count(db, Talk) == 1
    assert count(db, Segment) == 3
    assert index_rows(db) == count(db, Passage)
    vocabulary = "SELECT count FROM vocabulary WHERE word = ?"
    assert table_rows(db, vocabulary, ("kenobi",)) == []
    assert table_rows(db, vocabulary, ("grievous",)) == [(1,)]


def test_a_bad_file_is_reported_and_the_rest_load(db: Store, tmp_path: Path) -> None:
    (tmp_path / "good.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nfine\n")
    (tmp_path / "bad.txt").write_text("0:10 ok\n0:99 broken\n")
    (tmp_path / "empty.vtt").write_text("")
    report = ingest(db, tmp_path)
    assert report.new == 1 and report.failed == 2
    assert any(
        e.startswith(f"{tmp_path / 'bad.txt'}:2: malformed timestamp") for e in report.errors
    )
    assert all("\n" not in e for e in report.errors)


def test_sidecar_sets_metadata(db: Store, tmp_path: Path) -> None:
    (tmp_path / "talk.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nfine\n")
    (tmp_path / "talk.json").write_text(
        '{"title": "Named", "speakers": ["Ada"], "video_url": "https://youtu.be/abcdefghijk"}'
    )
    report = ingest(db, tmp_path)
    assert (report.new, report.files) == (1, 1)  # the JSON is a sidecar, not a transcript
    with db.session() as session:
        title, youtube = session.execute(select(Talk.title, Talk.youtube_id)).one()
    assert (title, youtube) == ("Named", "abcdefghijk")


def test_a_crash_mid_talk_leaves_the_archive_as_it_was(
    db: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "talk.txt"
    path.write_text("0:01 original words\n")
    ingest(db, tmp_path)
    path.write_text("0:01 replacement words\n0:02 more\n")

    def explode(store: Store, driver: object, counts: object) -> None:
        # the talk's rows and index entries are written by now
        raise RuntimeError("power cut")

    monkeypatch.setattr(type(db), "add_words", explode)
    with pytest.raises(RuntimeError):
        ingest(db, tmp_path)
    with db.session() as session:
        texts = session.execute(select(Segment.text)).scalars().all()
    assert texts == ["original words"]
    assert count(db, Talk) == 1 and index_rows(db) == count(db, Passage)


def test_same_slug_twice_in_one_batch_fails_the_second(db: Store, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "talk.txt").write_text("0:01 one\n")
    (tmp_path / "b" / "talk.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\ntwo\n")
    report = ingest(db, tmp_path)
    assert report.new == 1 and report.failed == 1
    assert "already taken" in report.errors[0]


def _term_passages(db: Store) -> dict[str, int]:
    stored = dict(table_rows(db, "SELECT term, passages FROM term_passages"))
    recount: dict[str, int] = {}
    for (terms,) in table_rows(db, "SELECT terms FROM passages"):
        for term in set(terms.split()):
            recount[term] = recount.get(term, 0) + 1
    assert stored == recount
    return stored


def test_passages_per_term_follow_every_load_and_replacement(db: Store, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("0:01 engines weave patterns\n0:05 engines again\n")
    (tmp_path / "b.txt").write_text("0:01 tables of engines\n")
    ingest(db, tmp_path)
    assert _term_passages(db)["engin"] == 2  # one passage per talk
    (tmp_path / "a.txt").write_text("0:01 looms weave patterns\n")
    ingest(db, tmp_path)
    counts = _term_passages(db)
    assert counts["engin"] == 1 and counts["loom"] == 1 and "again" not in counts
