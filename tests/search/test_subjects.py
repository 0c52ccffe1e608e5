"""Where a subject's words gather (app/search/meaning/subjects.py): a stretch of talk holding most
of the query's content words outranks a passage repeating one of them, one moment per stretch, at
its rarest word, within the filters."""

from pathlib import Path

import pytest

from app.search.language.plan import Filters
from app.search.meaning.subjects import subject_moments
from app.store import Store
from tests.conftest import ingest, search_engine_of

FILLER = "and then we went on with the rest of the day as usual " * 3  # 36 words


@pytest.fixture
def archive() -> tuple[str, str]:
    return ("sqlite", "fts5")


@pytest.fixture
def subjects(db: Store, tmp_path: Path) -> Store:
    # the subject's words a passage apart: no 60-word passage holds all three
    spread = [
        "our pipeline kept failing every night",
        FILLER,
        "so we added monitoring to see what broke",
        FILLER,
        "and alerts go to whoever is on call now",
    ]
    repeated = ["monitoring monitoring monitoring of the garden", FILLER, FILLER]
    for slug, lines in {"spread": spread, "repeated": repeated}.items():
        text = "\n".join(f"0:{10 * k:02d} {line}" for k, line in enumerate(lines))
        (tmp_path / f"{slug}.txt").write_text(text + "\n")
    for n in range(6):  # common words elsewhere, so that the subject's words are rarer
        (tmp_path / f"other-{n}.txt").write_text(f"0:01 {FILLER}\n")
    ingest(db, tmp_path)
    return db


def _moments(db: Store, text: str, filters: Filters | None = None) -> list[tuple[str, int]]:
    with db.snapshot() as snapshot:
        found = subject_moments(snapshot, search_engine_of(db), text, filters or Filters(), 10)
        slugs = {row[0]: row[1] for row in snapshot.rows("SELECT id, slug FROM talks")}
    return [(slugs[m.talk_id], m.word_start + m.matched[0].start) for m in found]


def test_a_stretch_holding_the_subject_outranks_one_word_said_often(subjects: Store) -> None:
    found = _moments(subjects, "pipeline monitoring and alerts")
    assert [slug for slug, _ in found] == ["spread", "repeated"]  # one moment per stretch
    # at its rarest word: "pipeline" and "alerts" are said once, "monitoring" twice
    assert found[0][1] in (1, 6 + 36 + 8 + 36 + 5)


def test_filters_and_function_words_leave_what_they_should(subjects: Store) -> None:
    only = Filters(talk="repeated")
    assert [slug for slug, _ in _moments(subjects, "pipeline monitoring", only)] == ["repeated"]
    assert _moments(subjects, "and the of") == []  # no content word: no subject
    assert _moments(subjects, "xylophone quartet") == []  # words the archive never heard
