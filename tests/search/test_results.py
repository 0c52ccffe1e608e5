"""A hit's moment facts (results.moment_facts): who says the first matched word, and when, read
from the one segment holding that word and the start of the next; the same facts as reading every
segment the passage spans, on caption lines and on long turns, on both backends."""

from pathlib import Path

import pytest

from app.search.candidates.ranking import PassageScore, Span
from app.search.present.results import _facts_from_spans, moment_facts
from app.store import Store
from tests.conftest import SAMPLE, ingest

PASSAGES_SQL = "SELECT id, talk_id, word_start, word_end FROM passages ORDER BY id"


@pytest.fixture(params=[("sqlite", "fts5"), ("postgresql", "postgres")], ids=["sqlite", "pg"])
def archive(request: pytest.FixtureRequest) -> tuple[str, str]:
    return request.param


def _turns(tmp_path: Path) -> Path:
    """A talk of long turns: each line is one segment of a hundred words or so."""
    said = [" ".join(f"w{t}x{k}" for k in range(90 + 7 * t)) for t in range(5)]
    path = tmp_path / "turns.txt"
    path.write_text("".join(f"{t * 2}:00 {words}\n" for t, words in enumerate(said)))
    return path


def _at(pid: int, talk_id: int, word_start: int, k: int) -> PassageScore:
    return PassageScore(
        pid, 1.0, 1.0, Span(k, k + 1), [Span(k, k + 1)], talk_id=talk_id, word_start=word_start
    )


def test_the_segment_holding_the_word_gives_the_facts_every_segment_gives(
    db: Store, tmp_path: Path
) -> None:
    ingest(db, SAMPLE, _turns(tmp_path))
    with db.snapshot() as snapshot:
        passages = snapshot.rows(PASSAGES_SQL)
        scored = [
            _at(pid, talk_id, start, k)
            for pid, talk_id, start, end in passages
            for k in {0, 7, 23, end - start - 1}
            if k < end - start
        ]
        assert len({s.talk_id for s in scored}) == 2 and len(scored) > 1000
        for first in range(0, len(scored), 300):  # one offset per passage per call
            batch = {s.passage_id: s for s in scored[first : first + 300]}
            words = {pid: s.word_start + s.matched[0].start for pid, s in batch.items()}
            held = snapshot.moment_segments(list(words.items()))
            assert set(held) == set(batch)  # every word found in its own segment
            every = _facts_from_spans(snapshot.passage_segments(list(batch)), words)
            assert moment_facts(snapshot, list(batch.values())) == every


def test_a_word_no_segment_holds_still_gets_the_facts_of_the_segments_before_it(
    db: Store, tmp_path: Path
) -> None:
    ingest(db, _turns(tmp_path))
    with db.snapshot() as snapshot:
        pid, talk_id, start, end = snapshot.rows(PASSAGES_SQL)[0]
        beyond = _at(pid, talk_id, start, end - start + 5_000)  # past every segment
        assert snapshot.moment_segments([(pid, start + end - start + 5_000)]) == {}
        facts = moment_facts(snapshot, [beyond])
        words = {pid: start + end - start + 5_000}
        assert facts == _facts_from_spans(snapshot.passage_segments([pid]), words)
        last = snapshot.passage_segments([pid])[pid][-1]  # the last one it spans, or the next
        assert facts[pid].start >= last.start and facts[pid].transcript_id == last.transcript_id
