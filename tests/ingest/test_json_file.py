import json

import pytest

from app.ingest.json_file import read_json
from app.ingest.transcript import TranscriptError


def test_whisper_output() -> None:
    text = json.dumps(
        {"text": "hi there", "segments": [{"id": 0, "start": 0.0, "end": 2.5, "text": " hi there"}]}
    )
    (seg,) = read_json(text).segments
    assert (seg.start, seg.end, seg.text) == (0.0, 2.5, "hi there")


def test_youtube_transcript_list() -> None:
    text = json.dumps([{"text": "one", "start": 1.5, "duration": 2.0}, {"text": "two", "start": 4}])
    segs = read_json(text).segments
    assert [(s.start, s.end, s.text) for s in segs] == [(1.5, 3.5, "one"), (4.0, None, "two")]


def test_plain_list_with_speakers_and_numbers_as_strings() -> None:
    text = json.dumps(
        [{"start": "0:05", "speaker": "Ada", "text": "a"}, {"start": "7.5", "text": "b"}]
    )
    segs = read_json(text).segments
    assert [(s.start, s.speaker) for s in segs] == [(5.0, "Ada"), (7.5, None)]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('[{"start": 1, "text": "a"},\n {"start": 2}]', 2, "lacks 'start' or 'text'"),
        ('[{"start": 1, "text": "a"},\n\n {"start": "soon", "text": "b"}]', 3, "not a number"),
        ('{"segments": [\n{"start": 1, "text": "a"}\n', 3, "not valid JSON"),
        ('{"words": []}', 1, "expected a list"),
        ("[1, 2]", 1, "not an object"),
    ],
)
def test_wrong_shapes_name_the_line(text: str, line: int, message: str) -> None:
    with pytest.raises(TranscriptError) as err:
        read_json(text)
    assert err.value.line == line
    assert message in err.value.message


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(TranscriptError):
        read_json("[" * 100_000 + "]" * 100_000)
