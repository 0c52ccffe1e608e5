"""Pages without JavaScript, and the small things a visitor meets: a hit opens its talk at the
quote's line (the link carries #here), the favicon exists, a moment past the end of a talk opens
its end, and visitors are not told how the archive is configured."""

import re

import pytest

from tests.conftest import SAMPLE_SLUG

pytestmark = pytest.mark.browser


def test_a_hit_opens_at_its_line_without_javascript(site: str, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1200, "height": 800}
    )
    context.route("https://www.youtube.com/**", lambda route: route.abort())
    page = context.new_page()
    try:
        page.goto(site + "/search?q=%22go+far+go+together%22")
        link = page.locator(".hit a.moment").first
        assert (link.get_attribute("href") or "").endswith("#here")
        link.click()
        page.wait_for_url(re.compile(r"#here$"))
        box = page.locator("#transcript li.current").bounding_box()
        assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= 800
    finally:
        context.close()


def test_small_things(site: str, page) -> None:  # type: ignore[no-untyped-def]
    icon = page.request.get(site + "/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"].startswith("image/svg")
    page.goto(site + f"/talks/{SAMPLE_SLUG}?t=99999")
    share = page.input_value("#share-link")
    assert int(share.rsplit("t=", 1)[1]) < 4 * 3600  # clamped to the talk (62 minutes)
    assert "27:46:39" not in page.content()
    page.goto(site + "/search?q=kaggle")
    assert "Meaning search is off" not in page.content()


def test_a_shared_moment_keeps_the_query(site: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(site + "/search?q=%22go+far+go+together%22")
    page.locator(".hit a.moment").first.click()
    page.wait_for_url(re.compile(r"q="))
    shared = page.input_value("#share-link")
    assert "?t=1244&q=" in shared and "together" in shared
    page.goto(shared.replace(shared.split("/talks/")[0], site))
    assert page.locator("#transcript li.current mark").count() > 0  # the words marked there
