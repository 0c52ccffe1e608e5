"""What a visitor meets first on a phone, with the keyboard and offline: the talk's title above
the player, chapters folded on a phone, filters reachable from the top of the results, skip
links, the quote's line focused when a hit opens, and a word where the player cannot load."""

import pytest
from playwright.sync_api import expect

from tests.conftest import SAMPLE_SLUG

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def phone_page(browser, **options):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, **options)
    context.route("https://www.youtube.com/**", lambda route: route.abort())
    context.route("https://i.ytimg.com/**", lambda route: route.abort())
    return context, context.new_page()


def test_a_phone_shows_the_title_first_and_folds_the_chapters(site: str, browser) -> None:  # type: ignore[no-untyped-def]
    context, page = phone_page(browser)
    try:
        page.goto(f"{site}/talks/{SAMPLE_SLUG}")
        title = page.locator("h1").bounding_box()
        player = page.locator(".player").bounding_box()
        assert title is not None and player is not None
        assert title["y"] < player["y"] and title["y"] + title["height"] < PHONE["height"] / 2
        assert page.locator(".talk-head .who a").first.is_visible()
        chapters = page.locator("details.chapters")
        if chapters.count():
            assert chapters.get_attribute("open") is None
    finally:
        context.close()


def test_chapters_are_open_beside_the_transcript_on_a_wide_screen(site: str, page) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{site}/talks/episode-1")
    expect(page.locator("details.chapters")).to_have_attribute("open", "")


def test_the_filters_are_reachable_from_the_top_of_the_results_on_a_phone(
    site: str, browser
) -> None:  # type: ignore[no-untyped-def]
    context, page = phone_page(browser)
    try:
        page.goto(f"{site}/search?q=analytical+engine")
        summary = page.locator("#filters summary")
        box = summary.bounding_box()
        first_hit = page.locator(".hit").first.bounding_box()
        assert box is not None and first_hit is not None
        assert box["y"] < first_hit["y"] and box["y"] < PHONE["height"] / 2  # folded, on top
        assert page.locator("#filters details").get_attribute("open") is None
        summary.click()
        expect(page.locator("#filters .facet a").first).to_be_in_viewport()
    finally:
        context.close()


def test_the_filters_are_open_beside_the_results_on_a_wide_screen(site: str, page) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{site}/search?q=analytical+engine")
    expect(page.locator("#filters details")).to_have_attribute("open", "")
    facets, results = (
        page.locator("#filters").bounding_box(),
        page.locator(".results").bounding_box(),
    )
    assert facets is not None and results is not None and facets["x"] > results["x"]


def test_skip_links_lead_to_the_results_and_the_filters(site: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{site}/search?q=analytical+engine")
    names = []
    for _ in range(3):
        page.keyboard.press("Tab")
        names.append(page.evaluate("document.activeElement.textContent.trim()"))
    assert names == ["Skip to content", "Skip to results", "Skip to filters"]
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    inside = page.evaluate("!!document.activeElement.closest('#filters')")
    assert inside  # one Tab after the skip link, not 86


def test_the_first_tab_after_opening_a_hit_is_on_the_quotes_line(site: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(site + "/search?q=%22go+far+go+together%22")
    page.locator(".hit a.moment").first.click()
    page.wait_for_selector("#transcript li.current")
    expect(page.locator("#transcript li.current")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('#transcript li.current')")


def test_offline_the_player_says_why_it_is_empty(site: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{site}/talks/{SAMPLE_SLUG}?t=60")  # YouTube is unreachable in these tests
    note = page.locator(".player-missing")
    note.wait_for()
    assert "could not be loaded" in note.inner_text()
    assert note.is_visible()


def test_the_player_can_be_folded_away_on_a_short_screen(site: str, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 844, "height": 390}, is_mobile=True)
    # YouTube answers (blank): the player is there, as online
    context.route(
        "https://www.youtube.com/**",
        lambda route: route.fulfill(
            body="<!doctype html><title>player</title>", content_type="text/html"
        ),
    )
    page = context.new_page()
    try:
        page.goto(f"{site}/talks/{SAMPLE_SLUG}?t=1244")
        expect(page.locator("iframe#player")).to_be_visible()

        box = page.locator(".talk .player")
        before = box.bounding_box()
        page.get_by_role("button", name="Hide player").click()
        expect(page.get_by_role("button", name="Show player")).to_be_visible()
        after = box.bounding_box()
        assert before is not None and after is not None and after["height"] < before["height"]
        page.get_by_role("button", name="Show player").click()
        expect(page.get_by_role("button", name="Hide player")).to_have_attribute(
            "aria-expanded", "true"
        )
    finally:
        context.close()


def test_a_topic_written_two_ways_is_one_topic_shown_one_way(site: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{site}/topics")
    names = [n.strip().lower() for n in page.locator("main a[href^='/topics/']").all_inner_texts()]
    assert names.count("compilers") + names.count("compiler") == 1
    assert names.count("history") == 1
    page.goto(f"{site}/talks/variants")
    tags = page.locator(".talk-head .tags a").all_inner_texts()
    assert "history" in tags and "compilers" in tags  # the spelling every other talk uses
    response = page.goto(f"{site}/topics/compiler")
    assert response is not None and response.status == 200
    expect(page.locator("main")).to_contain_text("Punched cards")
