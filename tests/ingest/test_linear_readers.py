"""Every reader takes time in proportion to its input, on the worst input it can be given (markup
never closed, lines that never end, text lines under one timestamp): 4 MB take about four times
as long as 1 MB, not sixteen. Each reading runs in a child process, so a quadratic one is
stopped and reported instead of holding the suite for hours."""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


MB = 1024 * 1024
SIZES = (MB, 4 * MB)
RATIO = 9.0  # linear: about 4; quadratic: about 16
GIVE_UP_SECONDS = 120  # a reading past this is quadratic (1 MB of '<' once took hours)


def worst(name: str, size: int) -> bytes:
    """The worst input of `size` bytes for one reader."""
    head, unit = {
        "txt-markup": (b"0:01 ", b"<"),
        "txt-lines": (b"0:01 start\n", b"a\n"),
        "vtt-markup": (b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n", b"<"),
        "vtt-cues": (b"WEBVTT\n\n", b"00:00:01.000 --> 00:00:02.000\n<c>a\n\n"),
        "srt-markup": (b"1\n00:00:01,000 --> 00:00:02,000\n", b"<"),
        "srt-braces": (b"1\n00:00:01,000 --> 00:00:02,000\n", b"{\\"),
        "md-markup": (b"---\ntranscript:\n- line: '", b"<"),
        "md-items": (b"---\ntranscript:\n", b"- line: a\n- line: b\n"),
        "json-markup": (b'[{"start": 1, "text": "', b"<"),
        "json-nesting": (b"", b"["),
    }[name]
    tail = {"md-markup": b"'\n  sec: 1\n---\n", "md-items": b"---\n", "json-markup": b'"}]'}
    tail = tail.get(name, b"")

    return head + unit * ((size - len(head) - len(tail)) // len(unit)) + tail


SUFFIX = {"txt": ".txt", "vtt": ".vtt", "srt": ".srt", "md": ".md", "json": ".json"}
CHILD = """
import sys, time
from pathlib import Path
from app.ingest.prepare import prepare_file
path = Path(sys.argv[1])
best, rounds, spent = float("inf"), 0, 0.0
# the fastest of up to five readings (a busy machine stalls one now and then), as long as they
# stay short: a slow reading is read once
while rounds < 5 and (rounds == 0 or spent < 2.0):
    began = time.perf_counter()
    prepare_file(path, None)
    took = time.perf_counter() - began
    best, rounds, spent = min(best, took), rounds + 1, spent + took
print(best)

"""


def reading_seconds(path: Path) -> float:
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(path)],
            capture_output=True,
            text=True,
            timeout=GIVE_UP_SECONDS,
            cwd=Path(__file__).resolve().parents[2],
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"reading {path.name} took more than {GIVE_UP_SECONDS} s")
    assert done.returncode == 0, done.stderr[-2000:]
    return float(done.stdout.split()[-1])


@pytest.mark.parametrize(
    "name",
    [
        "txt-markup",
        "txt-lines",
        "vtt-markup",
        "vtt-cues",
        "srt-markup",
        "srt-braces",
        "md-markup",
        "md-items",
        "json-markup",
        "json-nesting",
    ],
)
def test_reading_time_grows_linearly(tmp_path: Path, name: str) -> None:
    times = []
    for size in SIZES:
        path = tmp_path / f"{name}-{size}{SUFFIX[name.split('-')[0]]}"
        path.write_bytes(worst(name, size))
        times.append(reading_seconds(path))
    small, large = times
    # a floor of 5 ms: below it, process noise is all there is to compare
    assert large <= RATIO * max(small, 0.005), f"1 MB: {small:.3f} s, 4 MB: {large:.3f} s"
