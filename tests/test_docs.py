"""The docs document every setting, the query syntax and the API (datasette's test_docs), and the
README stays a newcomer's page that links every page of docs/."""

import re
from pathlib import Path

import pytest

from app.config import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
CONFIGURATION = (ROOT / "docs" / "configuration.md").read_text()


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    assert f"`TALKS_{name.upper()}`" in CONFIGURATION


@pytest.mark.parametrize(
    "text",
    ["make run", "make test", "/api/search", "/api/talks", '"exact phrase"', "speaker:", "prefix*"],
)
def test_readme_mentions(text: str) -> None:
    assert text in README


def test_the_readme_is_short_and_links_every_page() -> None:
    assert len(README.splitlines()) <= 250
    linked = set(re.findall(r"\(docs/([\w./-]+\.md)\)", README))
    pages = {p.name for p in (ROOT / "docs").glob("*.md")}
    assert pages <= linked, pages - linked
    for page in linked:
        assert (ROOT / "docs" / page).is_file(), page


def test_current_docs_hold_no_history() -> None:
    for page in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        text = page.read_text().lower()
        for phrase in ("this round", "the version before"):
            assert phrase not in text, f"{page.name}: {phrase!r}"
