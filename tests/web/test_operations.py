"""What an operator's tools poll: liveness, readiness (failing when the archive is gone) and
Prometheus metrics."""

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from tests.conftest import SAMPLE_SLUG


def test_healthz_answers(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert client.head("/healthz").status_code == 200


def test_readyz_says_what_is_ready(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["archive"] == "answers" and body["checks"]["index"] == "in step"
    assert body["checks"]["meaning"] in ("loaded", "off")


def test_readyz_fails_when_the_archive_is_gone(
    client: TestClient, db_url: str, backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("a PostgreSQL archive that stops answering is tested by the store's tests")
    Path(make_url(db_url).database).unlink()  # type: ignore[arg-type]
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready" and "is gone" in body["checks"]["archive"]
    assert client.get("/healthz").status_code == 200  # the process itself still answers


def test_metrics_count_requests_by_route_and_searches(client: TestClient) -> None:
    assert client.get("/api/search", params={"q": "kaggle"}).status_code == 200
    assert client.get(f"/talks/{SAMPLE_SLUG}").status_code == 200
    assert client.get("/talks/no-such-talk").status_code == 404
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'talks_requests_total{method="GET",route="/api/search",status="200"} 1.0' in text
    assert 'route="/talks/{slug}",status="404"' in text  # a template, not one label a slug
    assert 'talks_search_seconds_count{mode="auto"}' in text
    assert "talks_search_hits_count" in text
    assert "talks_archive_talks 1.0" in text
    assert "no-such-talk" not in text


def test_static_files_are_versioned_cached_and_compressed(client: TestClient) -> None:
    page = client.get("/")
    (css,) = re.findall(r'href="(/static/style\.css\?v=[0-9a-f]{12})"', page.text)
    cached = client.get(css)
    assert cached.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert client.get("/static/style.css").headers["cache-control"] == "no-cache"
    assert cached.headers["content-encoding"] == "gzip"  # the client says it takes gzip
    plain = client.get(css, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.text == cached.text
