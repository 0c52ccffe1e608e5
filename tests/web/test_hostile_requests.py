"""Hostile queries and requests: any text never gets a 5xx, markup is escaped everywhere, no path
leaves the archive, and nothing on the public server writes."""

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.search.language.query import parse_query
from tests.conftest import SAMPLE_SLUG

NASTY = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.sampled_from("\"*-()^:ORANDNOT NEAR{}[]\\'%_;\x00🙂"), max_size=60),
    st.lists(
        st.sampled_from(
            [
                '"',
                "-",
                "OR",
                "AND",
                "NOT",
                "*",
                "NEAR(",
                "speaker:",
                "'; DROP TABLE talks; --",
                "<script>",
                "\x00",
                "🙂",
                "go",
                "far",
                "together",
                "x" * 70,
            ]
        ),
        max_size=20,
    ).map(" ".join),
)


@given(NASTY)
@settings(max_examples=300, deadline=None)
def test_parser_never_raises(text: str) -> None:
    query = parse_query(text)
    assert all(w.text for w in query.must if hasattr(w, "text"))


@given(q=NASTY)
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_api_search_never_fails(client: TestClient, q: str) -> None:
    response = client.get("/api/search", params={"q": q})
    assert response.status_code in (200, 422)
    if response.status_code == 200:
        body = response.json()
        assert body["total"] >= len(body["hits"]) or not body["total_exact"]
        for hit in body["hits"]:
            assert "<script" not in hit["snippet"]


@given(q=NASTY)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_search_page_never_fails(client: TestClient, q: str) -> None:
    response = client.get("/search", params={"q": q})
    assert response.status_code in (200, 422)
    assert "<script>" not in response.text  # the page's own scripts are <script src=...>


def test_query_text_is_escaped_in_the_page(client: TestClient) -> None:
    page = client.get("/search", params={"q": '"><script>alert(1)</script> go far'}).text
    assert "<script>alert(1)" not in page
    assert "&#34;&gt;&lt;script&gt;" in page or "&quot;&gt;&lt;script&gt;" in page


def test_paths_cannot_leave_the_archive(client: TestClient) -> None:
    for path in (
        "/talks/..%2F..%2Fetc%2Fpasswd",
        "/talks/%2e%2e/%2e%2e/etc/passwd",
        "/static/../app/config.py",
        "/static/%2e%2e/app/config.py",
        "/api/talks/..%2F..%2Fetc",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "root:" not in response.text and "pydantic_settings" not in response.text


def test_no_endpoint_writes(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    methods = {m for ops in spec["paths"].values() for m in ops}
    assert methods == {"get"}
    for path in ("/api/search", "/api/talks", "/search", f"/talks/{SAMPLE_SLUG}"):
        for method in ("post", "put", "delete", "patch"):
            refused = client.request(method, path)
            assert refused.status_code == 405 and refused.headers["allow"] == "GET, HEAD"
        head = client.head(path)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-type"] == client.get(path).headers["content-type"]


def test_out_of_range_requests_get_422_with_a_message(client: TestClient) -> None:
    for params in (
        {"limit": 1000},
        {"offset": 10**9},
        {"q": "a" * 2001},
        {"date_from": "yesterday"},
    ):
        response = client.get("/api/search", params={"q": "go", **params})
        assert response.status_code == 422
        assert response.json()["error"]["message"]


def test_a_database_that_stops_answering_is_a_503_not_a_traceback(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    store = client.app.state.store  # type: ignore[attr-defined]

    def gone(*_args: object, **_kw: object) -> None:
        raise psycopg.OperationalError("connection to server was lost")

    monkeypatch.setattr(type(store), "snapshot", gone)
    monkeypatch.setattr(type(store), "session", gone)
    api = client.get("/api/search", params={"q": "go far"})
    assert api.status_code == 503
    assert api.json() == {
        "error": {
            "status": 503,
            "message": "The archive's database is not answering right now; try again shortly.",
        }
    }
    page = client.get(f"/talks/{SAMPLE_SLUG}")
    assert page.status_code == 503 and "not answering" in page.text


def test_trailing_slash_redirects_never_name_the_host_header(client: TestClient) -> None:
    forged = {"host": "evil.example"}
    for path, target in (
        ("/talks/", "/talks"),
        ("/search/?q=go", "/search?q=go"),
        ("/speakers/", "/speakers"),
        ("/docs/", "/docs"),
    ):
        response = client.get(path, headers=forged, follow_redirects=False)
        assert response.status_code == 307, path
        assert response.headers["location"] == target, path


def test_the_api_docs_page_has_the_pages_policy(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger-ui-bundle.js" in docs.text
    policy = docs.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in policy and "script-src 'self';" in policy
    assert "<script>" not in docs.text  # no inline script: the policy allows none
    assert client.get("/static/docs-init.js").status_code == 200


def test_nul_bytes_in_a_request_never_reach_the_database(client: TestClient) -> None:
    """PostgreSQL refuses NUL in text: every parameter and path that holds one still answers."""
    for path in (
        "/api/search?q=go&speaker=%00",
        "/api/search?q=go&talk=%00",
        "/search?q=go&talk=%00",
        "/talks?speaker=%00",
        f"/talks/{SAMPLE_SLUG}?q=go%00far",
        "/api/search?q=%00go",
    ):
        response = client.get(path)
        assert response.status_code in (200, 422), path
    assert client.get("/talks/%00").status_code == 404
    assert client.get(f"/talks/{SAMPLE_SLUG}%00").status_code == 404
    assert client.get("/api/search?q=far%00").json()["query"] == "far"
