import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.conftest import SAMPLE_SLUG, ingest

SLUG = SAMPLE_SLUG


def test_home_has_a_search_form(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert '<form class="searchbar" action="/search" method="get"' in page.text


def test_results_link_to_the_moment_and_the_source_video(client: TestClient) -> None:
    page = client.get("/search", params={"q": '"go far go together"'}).text
    assert f'href="/talks/{SLUG}?t=1244&amp;q=%22go%20far%20go%20together%22#here"' in page
    assert "https://www.youtube.com/watch?v=xVYOdRrN7hw&amp;t=1244s" in page
    assert "<mark>go</mark>" in page and "20:44" in page


def test_correction_is_shown_with_the_strict_search_offered(client: TestClient) -> None:
    page = client.get("/search", params={"q": "bunch of meetpus"}).text
    assert "Showing results for" in page and "bunch of meetups" in page
    assert 'href="/search?q=%22bunch+of+meetpus%22"' in page


def test_misheard_words_are_shown_as_the_captions_say_them(client: TestClient) -> None:
    page = client.get("/search", params={"q": "timsort"}).text
    assert "The captions say “team sword”, which sounds like <strong>timsort</strong>." in page
    assert 'class="badge sound"' in page and "closest match" not in page
    # the captions' spelling, offered as a search
    assert 'href="/search?q=%22team+sword%22">team sword</a>' in page


def test_talk_page_opens_at_the_moment(client: TestClient) -> None:
    page = client.get(f"/talks/{SLUG}", params={"t": 1244}).text
    current = re.search(r'<li id="s(\d+)" data-start="([\d.]+)" class="current"', page)
    assert current and float(current.group(2)) == 1244.0
    assert "youtube.com/embed/xVYOdRrN7hw?enablejsapi=1&amp;start=1244" in page
    assert f"/talks/{SLUG}?t=1244" in page  # the share link
    assert page.count('class="ts"') > 1000


def test_unknown_talk_is_a_404_page(client: TestClient) -> None:
    page = client.get("/talks/nope")
    assert page.status_code == 404 and "Not found" in page.text


def test_security_headers(client: TestClient) -> None:
    headers = client.get("/").headers
    assert "frame-src https://www.youtube.com" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"]


def test_hostile_transcript_text_is_escaped(db: Engine, db_url: str, tmp_path: Path) -> None:
    from app.config import Settings
    from app.main import create_app

    (tmp_path / "evil.txt").write_text(
        '0:01 <script>alert(1)</script> "><img src=x onerror=alert(2)>\n'
    )
    (tmp_path / "evil.yaml").write_text("title: '<b>bold</b> title'\n")
    (tmp_path / "sneaky.txt").write_text("0:01 alert\n")
    (tmp_path / "sneaky.yaml").write_text("video_url: 'javascript:alert(3)'\n")
    report = ingest(db, tmp_path)
    assert report.new == 1 and "must be an http(s) URL" in report.errors[0]
    with TestClient(create_app(Settings(db=db_url))) as c:
        for page in (
            c.get("/search", params={"q": "script alert"}).text,
            c.get("/talks/evil").text,
        ):
            assert (
                "<script>alert" not in page and "<img src=x" not in page and "<b>bold" not in page
            )
        assert 'href="javascript:' not in c.get("/search", params={"q": "alert"}).text


def test_pasted_text_longer_than_the_limit_is_searched_not_refused(client: TestClient) -> None:
    text = "if you want to go far go together " * 100  # 3,400 characters
    page = client.get("/search", params={"q": text})
    assert page.status_code == 200
    assert "Your text was long" in page.text and 'class="hit"' in page.text


def test_share_link_uses_the_configured_address_not_the_host_header(
    db_url: str, sample_db: object, tmp_path: Path
) -> None:
    from app.config import Settings
    from app.main import create_app

    app = create_app(Settings(db=db_url, public_url="https://talks.example.org"))
    with TestClient(app) as client:
        page = client.get(f"/talks/{SLUG}?t=5", headers={"Host": "evil.example"}).text
    app.state.store.dispose()
    assert 'value="https://talks.example.org/talks/' in page and "evil.example" not in page
