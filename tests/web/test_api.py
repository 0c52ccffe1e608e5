from fastapi.testclient import TestClient

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
    }


def test_openapi_documents_the_api(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/search", "/api/talks", "/api/talks/{slug}"} <= set(paths)
    assert client.get("/docs").status_code == 200
