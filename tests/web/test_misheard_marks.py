"""The talk page opened from a hit marks the words its snippet marked, where they stand: on the
shared corpus, a misheard term shown in the edited words ("Timsort" for captions' "team
sword") is marked once, not every word of its paragraph sharing a term with the query."""

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.store import Store

MARKED = re.compile(r"<mark>(.*?)</mark>")


@pytest.fixture(scope="module")
def shared_client(
    merged_archive: Store, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    indexes = Path(tmp_path_factory.mktemp("indexes"))
    app = create_app(Settings(db=merged_archive.url, index_dir=str(indexes)))
    with TestClient(app) as client:
        yield client


@pytest.mark.parametrize(
    ("query", "word"),
    [("team sword", "Timsort"), ("psychic learn", "SciKit"), ("cattle titanic", "Kaggle")],
)
def test_the_talk_page_marks_the_words_its_hit_marked(
    shared_client: TestClient, query: str, word: str
) -> None:
    hit = shared_client.get("/api/search", params={"q": query}).json()["hits"][0]
    page = shared_client.get(hit["url"] + "&" + urlencode({"q": query}))
    transcript = page.text.split('<ol id="transcript">', 1)[1]
    marks = MARKED.findall(transcript)
    assert word in marks and len(marks) <= 4, marks
    assert marks == MARKED.findall(hit["snippet"])
