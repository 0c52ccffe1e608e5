"""Files whose values are hostile or absurd (infinite times, impossible dates, numbers of
thousands of digits, titles of megabytes, NUL bytes): each gets one line naming the file and
the line, the rest of the batch loads, and every page still answers."""

import json
import tempfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.config import Settings
from app.ingest.bounds import MAX_SEGMENT_CHARS
from app.ingest.detect import decode, reader_for
from app.ingest.prepare import prepare_file
from app.ingest.transcript import TranscriptError
from app.main import create_app
from app.store import Store
from tests.conftest import BACKENDS, ingest, table_rows


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


def episode(extra: str = "", sec: str = "1", title: str = "An episode") -> str:
    return (
        f"---\ntitle: {title}\n{extra}transcript:\n- header: Start\n"
        f"- line: hello there general kenobi\n  sec: {sec}\n"
        "- line: and the second turn of the talk\n  sec: 5\n---\n"
    )


DIGITS = "7" * 5000
# name, content, the error expected (None: the file loads), the line it names (None: no line)
CASES: list[tuple[str, str, str | None, int | None]] = [
    ("duration-inf.md", episode("duration: .inf\n"), "duration is not a finite number", None),
    ("centuries.md", episode("duration: 9999999999\n"), "more than a week", None),
    ("sec-inf.md", episode(sec=".inf"), "sec is not a finite number", 5),
    ("sec-nan.md", episode(sec=".nan"), "sec is not a finite number", 5),
    ("sec-huge.md", episode(sec="1e400"), "sec is not a finite number", 5),
    ("impossible-date.md", episode("date: 2023-02-30\n"), "invalid YAML value", 3),
    ("impossible-added.md", episode("dateadded: 2024-13-45\n"), "month must be in 1..12", 3),
    ("digits.md", episode(f"duration: {DIGITS}\n"), "invalid YAML value", 3),
    ("digits-sec.md", episode(sec=DIGITS), "invalid YAML value", 6),
    ("digits-list.json", f'[{{"start": {DIGITS}, "text": "x"}}]', "not valid JSON", None),
    ("inf.json", '[{"start": 1e999, "text": "x"}]', "'start' is not a finite number", 1),
    ("nan.json", '[{"start": NaN, "text": "x"}]', "'start' is not a finite number", 1),
    ("negative-end.json", '[{"start": 1, "end": -4, "text": "x"}]', "'end' is negative", 1),
    (
        "long-segment.txt",
        "0:01 hello\n0:02 " + "word " * (MAX_SEGMENT_CHARS // 4) + "\n",
        f"at most {MAX_SEGMENT_CHARS:,}",
        2,
    ),
    ("long-title.md", episode(title="T" * 100_000), "title is 100,000 characters long", None),
    ("nul-after-4k.txt", "0:01 " + "a " * 2100 + "\n0:09 null\x00byte here\n", None, None),
]


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    folder = tmp_path / "batch"
    folder.mkdir()
    for name, content, _, _ in CASES:
        (folder / name).write_text(content)
    (folder / "deep-sidecar.txt").write_text("0:01 a talk with a deep sidecar\n")
    (folder / "deep-sidecar.json").write_text("[" * 100_000 + "]" * 100_000)
    (folder / "big-sidecar.txt").write_text("0:01 a talk with a big title\n")
    (folder / "big-sidecar.yaml").write_text("title: " + "x" * 1_000_000 + "\n")
    (folder / "good.txt").write_text("0:01 the good file loads\n")
    return folder


def test_each_bad_value_is_one_line_and_the_rest_loads(db: Store, batch: Path) -> None:
    report = ingest(db, batch)
    errors = {line.split(":", 1)[0]: line for line in report.errors}
    assert all("\n" not in line for line in report.errors)
    for name, _, expected, line in CASES:
        path = str(batch / name)
        if expected is None:
            assert path not in errors, errors.get(path)
            continue
        assert path in errors, f"{name} should fail"
        assert expected in errors[path], errors[path]
        if line is not None:
            assert errors[path].startswith(f"{path}:{line}: "), errors[path]
        assert "free space" not in errors[path]
    assert "nested too deeply" in errors[str(batch / "deep-sidecar.txt")]
    assert "title is 1,000,000 characters" in errors[str(batch / "big-sidecar.txt")]
    loads = sum(1 for case in CASES if case[2] is None) + 1
    assert report.new == loads and report.failed == len(errors)
    texts = [t for (t,) in table_rows(db, "SELECT text FROM segments")]
    assert "null byte here" in texts and not any("\x00" in t for t in texts)
    assert all(float(d) < 7 * 24 * 3600 for (d,) in table_rows(db, "SELECT duration FROM talks"))


def test_every_page_answers_after_a_hostile_batch(
    db: Store, db_url: str, batch: Path, tmp_path: Path
) -> None:
    ingest(db, batch)
    app = create_app(Settings(db=db_url, index_dir=str(tmp_path / "indexes")))
    with TestClient(app) as client:
        slugs = [talk["slug"] for talk in client.get("/api/talks?limit=100").json()["talks"]]
        assert slugs
        paths = ["/", "/talks", "/speakers", "/topics", "/search?q=null", "/api/search?q=null"]
        for path in paths + [f"/talks/{slug}" for slug in slugs]:
            assert client.get(path).status_code == 200, path
    app.state.store.dispose()


READABLE = [".txt", ".srt", ".vtt", ".json", ".md", ".xml", ".ttml", ".html"]


@given(
    suffix=st.sampled_from(READABLE),
    content=st.one_of(
        st.binary(max_size=400),
        st.text(max_size=400),
        st.lists(
            st.sampled_from(
                [
                    "---\n",
                    "transcript:\n",
                    "- line: x\n",
                    "  sec: .nan\n",
                    "  sec: 1e999\n",
                    "date: 2023-02-30\n",
                    "0:01 hi\n",
                    "WEBVTT\n\n",
                    "00:00:01.000 --> 00:00:02.000\n",
                    "1\n00:00:01,000 --> 00:00:00,500\n",
                    '[{"start": ',
                    "1e999",
                    "NaN",
                    '"text": "<<<{\\\\"',
                    "}]",
                    "\x00",
                    "<" * 50,
                    "9" * 5000,
                    '{"results": {"utterances": [',
                    '{"events": [1, {"segs": [{"utf8": 2}]',
                    '<?xml version="1.0"?><transcript><text start="x">',
                    "<timedtext><body><p t='1e999'>a</p>",
                    "Jane Doe  0:03\n",
                    '<tt xmlns="http://www.w3.org/ns/ttml"><body><p begin="1e999s">a</p>',
                    "<p begin='99:99:99:99' dur='5f'>",
                    "<cite>Jo:</cite><time>0:0",
                    "<time>0:01</time><p>hi <script>x",
                    "</p><p>",
                ]
            ),
            max_size=12,
        ).map("".join),
    ),
)
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_readers_only_ever_refuse_with_a_transcript_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, suffix: str, content: str | bytes
) -> None:
    """Fuzzed: whatever the bytes, a reader gives a transcript or a TranscriptError (one line
    naming the file), never another exception, and what it gives holds finite times."""
    path = Path(tempfile.mkdtemp(dir=tmp_path)) / f"fuzzed{suffix}"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    prepared = prepare_file(path, None)
    unexpected = [r.getMessage() for r in caplog.records if r.name == "app.ingest.prepare"]
    assert not unexpected, unexpected  # the last-resort catch of prepare_file was reached
    if prepared.error is not None:
        assert "\n" not in prepared.error and prepared.error.startswith(str(path))
        return

    assert prepared.row is not None
    try:
        text = decode(path.read_bytes())
        transcript = reader_for(path, text)(text, path)
    except TranscriptError:  # the prepared file passed, so the reader must too
        pytest.fail("prepare_file loaded a file its reader refuses")
    for segment in transcript.segments:
        assert segment.start == segment.start and segment.start != float("inf")


def test_control_characters_are_dropped_from_metadata_too(db: Store, tmp_path: Path) -> None:
    (tmp_path / "t.txt").write_text("0:01 hello\n")
    (tmp_path / "t.json").write_text(json.dumps({"title": "bell\x07 and\x00 nul"}))
    report = ingest(db, tmp_path)
    assert report.failed == 0, report.errors
    assert table_rows(db, "SELECT title FROM talks") == [("bell and nul",)]
