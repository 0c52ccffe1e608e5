from pathlib import Path

import pytest

from app.ingest.episode_md import read_episode
from app.ingest.transcript import TranscriptError
from tests.conftest import EPISODES, need_shared

EPISODE = """---
title: 'A talk: with a colon'
guests:
- ada
ids:
  youtube: abcdefghijk
dateadded: 2021-06-25
duration: PT00H10M00S
topics: [history, engines]
transcript:
- header: Opening
- line: Welcome to the show.
  sec: 10
  time: '0:10'
  who: Alexey
- line: Thanks for having me here today.
  who: Ada
- line: So tell us more.
  sec: 30
  who: Alexey
- header: Engines
- line: The analytical engine weaves algebraic patterns.
  time: '1:00'
  who: Ada
---

Links: [site](https://example.org)
"""


def write_episode(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    (folder / "episodes").mkdir(parents=True)
    (folder / "people").mkdir()
    (folder / "people" / "ada.md").write_text("---\ntitle: Ada Lovelace\n---\nBio.\n")
    path = folder / "episodes" / "analytical.md"
    path.write_text(EPISODE)
    return path


def test_reads_metadata_turns_and_chapters(tmp_path: Path) -> None:
    path = write_episode(tmp_path)
    tr = read_episode(path.read_text(), path)
    assert tr.title == "A talk: with a colon"
    assert tr.speakers == ["Ada Lovelace"]
    assert tr.youtube_id == "abcdefghijk"
    assert str(tr.date) == "2021-06-25"
    assert tr.duration == 600
    assert tr.topics == ["history", "engines"]
    assert [(c.title, c.start) for c in tr.chapters] == [("Opening", 10.0), ("Engines", 60.0)]
    assert [s.speaker for s in tr.segments] == ["Alexey", "Ada", "Alexey", "Ada"]  # as labelled


def test_turn_without_time_is_interpolated_not_dropped(tmp_path: Path) -> None:
    path = write_episode(tmp_path)
    starts = [s.start for s in read_episode(path.read_text(), path).segments]
    assert starts[0] == 10 and starts[2] == 30 and starts[3] == 60
    # 4 words before it of 4 + 6 words between the known times 10 s and 30 s
    assert starts[1] == pytest.approx(10 + 20 * 4 / 10)


def test_a_turn_repeated_without_its_time_is_kept_once_with_the_time() -> None:
    text = (
        "---\ntranscript:\n- line: First.\n  sec: 1\n- line: Same words.\n"
        "- line: Same words.\n  sec: 40\n  who: Ada\n---\n"
    )
    segments = read_episode(text, None).segments
    assert [(s.start, s.text, s.speaker) for s in segments] == [
        (1.0, "First.", None),
        (40.0, "Same words.", "Ada"),
    ]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("no front matter", 1, "no YAML front matter"),
        ("---\ntitle: x\n", 1, "not closed"),
        ("---\ntitle: [unclosed\n---\n", 3, "invalid YAML"),
        ("---\ntitle: x\n---\n", 2, "no 'transcript:' list"),
        ("---\ntranscript:\n- line: ok\n  sec: 1\n- 42\n---\n", 5, "not a mapping"),
        ("---\na: &x [1]\nb: *x\ntranscript: []\n---\n", None, "aliases are not allowed"),
        ("---\nx: !!python/object/apply:os.system ['true']\n---\n", 2, "invalid YAML"),
    ],
)
def test_errors_name_the_line(text: str, line: int | None, message: str) -> None:
    with pytest.raises(TranscriptError) as err:
        read_episode(text, None)
    if line is not None:
        assert err.value.line == line
    assert message in err.value.message


@pytest.mark.corpus
def test_every_corpus_episode_reads() -> None:
    files = sorted(need_shared(EPISODES).glob("*.md"))
    assert len(files) >= 160
    for path in files:
        tr = read_episode(path.read_text(encoding="utf-8"), path)
        assert tr.title and tr.segments, path
        starts = [s.start for s in tr.segments]
        assert starts == sorted(starts), path
