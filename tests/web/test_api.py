import re

import pytest
from fastapi.testclient import TestClient

from app.text.analysis import STOP_WORDS
from app.web.api import MAX_LIMIT, SearchParams
from tests.conftest import SAMPLE_SLUG

SLUG = SAMPLE_SLUG


def test_search_shape(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "go far go together", "limit": 3}).json()
    assert body["query"] == "go far go together"
    assert isinstance(body["total"], int) and body["total"] >= 1
    hit = body["hits"][0]
    assert set(hit) >= {"talk", "start", "end", "speaker", "text", "snippet", "url", "video_url"}
    assert {"slug", "title"} <= set(hit["talk"])
    assert isinstance(hit["start"], float | int)
    assert hit["url"] == f"/talks/{SLUG}?t={int(hit['start'])}"
    assert "<mark>" in hit["snippet"]
    assert body["relaxed"] is False and body["corrected_query"] is None


def test_corrected_and_relaxed_are_labelled(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "bunch of meetpus"}).json()
    assert body["corrected_query"] == "bunch of meetups"
    body = client.get("/api/search", params={"q": "bunch of meetups xylophone"}).json()
    assert body["relaxed"] is True


def test_hits_matched_by_sound_say_so(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "scikit-learn"}).json()
    first, *rest = body["hits"]
    assert first["match"] == "words" and first["sounds_like"] == []
    by_sound = [h for h in rest if h["match"] == "sound"]
    assert {"query": "scikit", "heard": "circuit", "heard_in": "captions"} in [
        a for h in by_sound for a in h["sounds_like"]
    ]
    assert body["heard_as"] == []  # the first hit holds the words themselves
    named = client.get("/api/search", params={"q": "timsort"}).json()
    assert named["heard_as"] and {h["match"] for h in named["hits"]} == {"sound"}


def test_errors_have_one_json_shape(client: TestClient) -> None:
    missing = client.get("/api/talks/no-such-talk")
    assert missing.status_code == 404
    assert missing.json() == {
        "error": {"status": 404, "message": "No talk is called 'no-such-talk'."}
    }
    for params in ({"q": "x", "limit": 0}, {"q": "x", "offset": -1}, {"q": "x" * 3000}):
        bad = client.get("/api/search", params=params)
        assert bad.status_code == 422
        assert set(bad.json()["error"]) == {"status", "message"}


def test_talk_list_and_detail(client: TestClient) -> None:
    talks = client.get("/api/talks").json()
    assert talks["total"] == 1
    (item,) = talks["talks"]
    assert item["slug"] == SLUG and item["segment_count"] > 1000
    detail = client.get(f"/api/talks/{SLUG}").json()
    assert detail["youtube_id"] == "xVYOdRrN7hw"
    assert detail["segments"][0] == {
        "start": 1.0,
        "end": None,
        "speaker": None,
        "text": "so welcome everyone",
        "word_times": None,  # one transcript: nothing to align with
    }
    (transcript,) = detail["transcripts"]
    assert transcript["kind"] == "captions" and transcript["shown"]
    assert transcript["source_file"] == "000_1290f93bafb96edd.txt"


def test_openapi_documents_the_api(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/search", "/api/talks", "/api/talks/{slug}"} <= set(paths)
    assert client.get("/docs").status_code == 200


def test_the_search_parameters_are_documented_as_validated(client: TestClient) -> None:
    """/api/search reads its query string itself (one pydantic call): its documented
    parameters are still the model's fields, with their limits."""
    spec = client.get("/openapi.json").json()
    listed = {p["name"]: p for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert set(listed) == set(SearchParams.model_fields)
    assert all(p["in"] == "query" and not p["required"] for p in listed.values())
    assert listed["limit"]["schema"]["maximum"] == MAX_LIMIT
    assert (
        listed["q"]["description"] and listed["date_from"]["schema"]["anyOf"][0]["format"] == "date"
    )
    too_many = client.get("/api/search", params={"q": "kaggle", "limit": MAX_LIMIT + 1})
    assert too_many.status_code == 422 and "limit" in too_many.json()["error"]["message"]


def test_api_answers_other_origins_and_pages_do_not(client: TestClient) -> None:
    origin = {"Origin": "https://elsewhere.example"}
    api = client.get("/api/search", params={"q": "kaggle"}, headers=origin)
    assert api.headers["access-control-allow-origin"] == "*"
    page = client.get("/search", params={"q": "kaggle"}, headers=origin)
    assert "access-control-allow-origin" not in page.headers


def test_docs_load_nothing_from_the_internet(client: TestClient) -> None:
    docs = client.get("/docs").text
    assert "cdn." not in docs and "https://" not in docs.replace("https://fastapi", "")
    for asset in re.findall(r'(?:src|href)="(/docs-assets/[^"]+)"', docs):
        assert client.get(asset).status_code == 200
    assert len(re.findall(r"/docs-assets/", docs)) >= 2


@pytest.mark.parametrize(
    ("q", "note"),
    [
        ("speaker:", "Put a name right after speaker:"),
        ("🙂 🎉", "Emoji and symbols are not searched"),
        ("speaker:santiago", "Add words to search what santiago said."),
        ("機械学習", "Chinese, Japanese and Korean characters written together are searched"),
    ],
)
def test_queries_without_words_get_a_fitting_message(client: TestClient, q: str, note: str) -> None:
    body = client.get("/api/search", params={"q": q}).json()
    assert body["hits"] == [] and any(note in n for n in body["notes"])


def test_stop_words_alone_are_not_marked(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "how to get into kaggle competitions"}).json()
    assert body["hits"]
    for hit in body["hits"]:
        marked = {m.lower() for m in re.findall(r"<mark>(.*?)</mark>", hit["snippet"])}
        assert marked and not marked <= STOP_WORDS, hit["snippet"]


@pytest.mark.parametrize("value", ["0", "1700000000", "25/11/2026", "2026-13-01"])
def test_a_date_must_be_written_as_a_date(client: TestClient, value: str) -> None:
    bad = client.get("/api/search", params={"q": "kaggle", "date_to": value})
    assert bad.status_code == 422 and "date" in bad.json()["error"]["message"]
    assert client.get("/search", params={"q": "kaggle", "date_to": value}).status_code == 422
    good = client.get("/api/search", params={"q": "kaggle", "date_to": "2021-06-25"})
    assert good.status_code == 200 and good.json()["hits"]
