"""A real `talks serve` with the sample talk and a talk with a generated local audio file, and a
headless Debian Chromium driven by Playwright. Skips with a reason when Chromium is missing."""

import os
import shutil
import subprocess
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SAMPLE
from tests.ingest.test_talk_identity import write_pair
from tests.library import write_library
from tests.servers import TALKS, talks_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
LINE_SECONDS = 3
LINES = 60
NATO = "alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike".split()


def media_talk_markdown() -> str:
    items = []
    for i in range(LINES):
        if i % 20 == 0:
            items.append(f"- header: 'Part {i // 20 + 1}: the {NATO[i // 20]} section'")
        items.append(
            f"- line: In moment {i} the speaker says {NATO[i % len(NATO)]} signal {i} clearly.\n"
            f"  sec: {i * LINE_SECONDS}\n  who: {'Ada' if i % 2 else 'Grace'}"
        )
    return (
        "---\ntitle: Generated tones\ndateadded: 2024-01-02\ntranscript:\n"
        + "\n".join(items)
        + "\n---\n"
    )


def write_wav(path: Path, seconds: int) -> None:
    """Quiet 440 Hz tone, 8 kHz 8-bit mono: small, and a real file a browser can play."""
    rate = 8000
    period = [int(128 + 20 * ((i % 18) / 9 - 1)) for i in range(18)]  # triangle ~444 Hz
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(rate)
        frame = bytes(period) * (rate // len(period))
        for _ in range(seconds):
            out.writeframes(frame)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("browser")
    talks, media = root / "talks", root / "media"
    talks.mkdir()
    media.mkdir()
    shutil.copy(SAMPLE, talks)
    shutil.copy(SAMPLE.with_suffix(".yaml"), talks)
    (talks / "media-talk.md").write_text(media_talk_markdown())
    (talks / "media-talk.yaml").write_text("media_url: /media/tones.wav\nspeakers: [Ada, Grace]\n")
    write_wav(media / "tones.wav", LINES * LINE_SECONDS + 10)
    episodes = write_library(root / "library")  # several people, topics and years to browse
    write_pair(talks)  # one talk with an edited transcript and its captions
    # topics written as another talk writes them: another case, the singular
    (talks / "variants.txt").write_text("0:01 A short note on punched cards.\n")
    (talks / "variants.yaml").write_text("title: Punched cards\ntopics: [History, compiler]\n")

    db = f"sqlite:///{root / 'talks.db'}"
    # meaning search on, as a reader with `make semantic` has it (when the model is installed)
    env = {"TALKS_MEDIA_DIR": str(media), "TALKS_SEMANTIC": "true"}
    subprocess.run(
        [TALKS, "ingest", str(talks), str(episodes), "--db", db],
        check=True,
        capture_output=True,
        env={**os.environ, **env},
    )
    with talks_server(db, root / "serve.log", env=env) as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(
            "Debian chromium is not installed (make test installs it: apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.route("https://www.youtube.com/**", lambda route: route.abort())
    context.route("https://i.ytimg.com/**", lambda route: route.abort())
    pg = context.new_page()
    yield pg
    context.close()


def save_screenshot(pg, name: str) -> Path:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    pg.screenshot(path=str(path))
    return path
