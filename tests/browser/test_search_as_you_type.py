"""Search as you type in every search box: the home page's big box too, the word being typed
read as the start of a word, Back returning to where the person was, and the search they
linger on shown whole (exact counts and filters)."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_home_box_searches_as_you_type_and_reads_the_last_word_as_a_prefix(
    site: str, page
) -> None:  # type: ignore[no-untyped-def]
    page.goto(site + "/")
    page.locator("#home-q").type("analytical eng", delay=30)
    expect(page).to_have_url(re.compile(r"/search\?q=analytical\+eng$"))  # no typing=1
    expect(page.locator(".hit mark").first).to_be_visible()  # "eng" found "engine"
    assert "engine" in [m.lower() for m in page.locator(".hit mark").all_inner_texts()]
    expect(page.locator("#q")).to_be_focused()
    expect(page.locator("#q")).to_have_value("analytical eng")


def test_back_leaves_the_typed_search_for_the_page_before(site: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(site + "/")
    page.locator("#home-q").type("analytical engine", delay=30)
    expect(page).to_have_url(re.compile(r"q=analytical\+engine$"))
    expect(page.locator(".hit").first).to_be_visible()
    page.go_back()
    expect(page).to_have_url(site + "/")
    expect(page.locator("#home-q")).to_be_visible()  # the home page, not the results


def test_a_search_lingered_on_is_shown_whole(site: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(site + "/search?q=weaves")
    page.fill("#q", "")
    page.locator("#q").type("analytical engine", delay=30)
    expect(page).to_have_url(re.compile(r"q=analytical\+engine$"))
    expect(page.locator(".facets")).to_be_visible()  # filters come with the whole page

    expect(page.locator("p.count")).not_to_contain_text("about")
    page.go_back()
    expect(page).to_have_url(re.compile(r"q=weaves$"))


def test_a_talks_own_box_lists_its_moments_as_you_type(site: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{site}/talks/episode-1")
    page.locator("#talk-q").type("weaves patt", delay=30)
    hits = page.locator("#talk-results li.hit")
    expect(hits.first).to_be_visible()
    assert "/talks/episode-1" in (hits.first.locator("a.moment").get_attribute("href") or "")
    assert page.url.endswith("/talks/episode-1")  # the talk page stays


def test_the_header_box_on_a_talk_page_searches_as_you_type_and_back_returns(
    site: str, page
) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{site}/talks/episode-1?t=60")
    page.fill("#q", "")
    page.locator("#q").type("analytical engine", delay=30)
    expect(page).to_have_url(re.compile(r"/search\?q=analytical\+engine$"))
    expect(page.locator(".hit").first).to_be_visible()
    page.go_back()
    expect(page).to_have_url(re.compile(r"/talks/episode-1\?t=60$"))
    expect(page.locator("#transcript li.current")).to_be_visible()  # the talk page, whole
