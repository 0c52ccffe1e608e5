"""A batch of hostile and odd files, generated here: each loads correctly or gets one clear
line naming the file (and line where there is one); the rest of the batch loads."""

import codecs
import os
import resource
from pathlib import Path

import pytest

from app.store import Store
from tests.conftest import BACKENDS, ingest, table_rows


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


GOOD = "0:01 hello there\n0:03 general kenobi\n"
BILLION_LAUGHS = (
    "---\n"
    + "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    + "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10))
    + "transcript:\n- line: *a9\n  sec: 1\n---\n"
)

# name, content, expected: None = loads; a string = part of the error line
CASES: list[tuple[str, bytes, str | None]] = [
    ("empty.txt", b"", "no timestamped lines"),
    ("empty-subrip.srt", b"", "no subtitles"),
    ("empty-webvtt.vtt", b"", "not valid WebVTT"),
    ("empty-json.json", b"", "not valid JSON"),
    ("empty-markdown.md", b"", "no YAML front matter"),
    ("binary.txt", bytes(range(256)) * 40, "binary file"),
    ("utf16.txt", codecs.BOM_UTF16_LE + GOOD.encode("utf-16-le"), None),
    ("utf16-no-bom.txt", GOOD.encode("utf-16-be"), None),
    ("latin1.txt", "0:01 café crème brûlée\n".encode("latin-1"), None),
    ("bom.srt", codecs.BOM_UTF8 + b"1\n00:00:01,000 --> 00:00:02,000\nbom\n", None),
    ("crlf.txt", GOOD.replace("\n", "\r\n").encode(), None),
    ("backwards.txt", b"0:10 later\n0:05 earlier\n", "goes back"),
    ("repeated.txt", b"0:05 same\n0:05 second\n", None),
    ("short-seconds.txt", b"0:01 ok\n1:7 bad\n", "malformed timestamp '1:7'"),
    ("sixty-one.txt", b"61:00 an hour in\n", None),
    ("negative.txt", b"0:01 ok\n-0:05 before the start\n", "negative timestamp"),
    (
        "overlap.srt",
        b"1\n00:00:01,000 --> 00:00:05,000\na\n\n2\n00:00:02,000 --> 00:00:03,000\nb\n",
        None,
    ),
    (
        "styled.vtt",
        b"WEBVTT\n\nSTYLE\n::cue { color: lime }\n\nNOTE hello\n\n"
        b"00:00:01.000 --> 00:00:02.000 position:10% align:start size:35%\n<i>styled</i>\n",
        None,
    ),
    ("shape.json", b'{"captions": []}', "expected a list"),
    ("deep.json", b"[" * 50_000 + b"]" * 50_000, "nested too deeply"),
    ("strings.json", b'[{"start": "1.5", "end": "2", "text": "numbers as strings"}]', None),
    ("laughs.md", BILLION_LAUGHS.encode(), "aliases are not allowed"),
    (
        "tags.md",
        b"---\nx: !!python/object/apply:os.system ['echo hi']\ntranscript: []\n---\n",
        "invalid YAML",
    ),
    ("one-long-line.txt", b"x" * (5 * 1024 * 1024), "no timestamped lines"),
    ("my talk (final) $HOME; `rm -rf` \u00e9t\u00e9.txt".encode().decode(), GOOD.encode(), None),
]


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    folder = tmp_path / "batch"
    folder.mkdir()
    for name, content, _ in CASES:
        (folder / name).write_bytes(content)
    huge = folder / "huge.txt"
    with huge.open("wb") as f:  # sparse: 200 MB on paper, nothing on disk
        f.write(b"0:01 start\n")
        f.truncate(200 * 1024 * 1024)
    (folder / "loop").mkdir()
    os.symlink(folder / "loop", folder / "loop" / "again")
    return folder


def test_hostile_batch(db: Store, hostile: Path) -> None:
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report = ingest(db, hostile)
    peak_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    errors = {line.split(":", 1)[0]: line for line in report.errors}
    for name, _, expected in CASES:
        path = str(hostile / name)
        if expected is None:
            assert path not in errors, errors.get(path)
        else:
            assert path in errors, f"{name} should fail"
            assert expected in errors[path], errors[path]
    assert "larger than 64 MiB" in errors[str(hostile / "huge.txt")]
    assert all("\n" not in line for line in report.errors)
    loads = sum(1 for _, _, expected in CASES if expected is None)
    assert report.new == loads and report.failed == len(CASES) - loads + 1
    assert (peak_after - peak_before) < 400 * 1024  # KiB: the 200 MB file was never read
    if db.backend == "sqlite":
        assert table_rows(db, "PRAGMA integrity_check") == [("ok",)]
    titles = table_rows(db, "SELECT text FROM segments WHERE text LIKE ?", ("caf%",))
    assert titles == [("café crème brûlée",)]


def test_error_lines_name_the_line(db: Store, tmp_path: Path) -> None:
    (tmp_path / "bad.txt").write_text("0:01 fine\n0:02 fine\n0:0x broken\n0:99 bad\n")
    report = ingest(db, tmp_path)
    assert report.errors == [f"{tmp_path / 'bad.txt'}:4: malformed timestamp '0:99'"]
