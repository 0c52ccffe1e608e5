"""The README documents every setting, the query syntax and the API (datasette's test_docs)."""

from pathlib import Path

import pytest

from app.config import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    assert f"TALKS_{name.upper()}" in README


@pytest.mark.parametrize(
    "text",
    ["make run", "make test", "/api/search", "/api/talks", '"exact phrase"', "speaker:", "prefix*"],
)
def test_readme_mentions(text: str) -> None:
    assert text in README
