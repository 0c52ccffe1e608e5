"""Every number a visitor reads is one they can reach: the total is the moments the pager walks
through, facet counts are the same on every page and equal the total after following them, the
last page has no Next, and a page past the end says so with a way back."""

import re
from urllib.parse import quote_plus

import pytest

pytestmark = pytest.mark.browser

QUERY = "analytical engine"  # said in every turn of the generated library


def total_on(page) -> tuple[int, bool]:  # type: ignore[no-untyped-def]
    text = page.locator("p.count").inner_text()
    found = re.search(r"of (more than )?([\d,]+) moments?|^(more than )?([\d,]+) moments?", text)
    assert found, text
    number = found.group(2) or found.group(4)
    return int(number.replace(",", "")), not (found.group(1) or found.group(3))


def facet_counts(page) -> dict[str, int]:  # type: ignore[no-untyped-def]
    counts = {}
    for item in page.locator(".facets li").all():
        name = item.locator("a").inner_text()
        counts[item.locator("a").get_attribute("href") or name] = int(
            item.locator(".n").inner_text().rstrip("+")
        )
    return counts


def test_the_pager_reaches_the_total_and_stops(site: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{site}/search?q={quote_plus(QUERY)}")
    total, exact = total_on(page)
    assert exact and total > 20  # more than one page
    first_facets = facet_counts(page)
    seen = page.locator(".hit").count()
    pages = 1
    while page.locator("a[rel=next]").count():
        page.locator("a[rel=next]").first.click()
        page.wait_for_load_state()
        pages += 1
        assert total_on(page) == (total, True)  # the same total on every page
        assert facet_counts(page) == first_facets  # and the same facet counts
        seen += page.locator(".hit").count()
    assert seen == total and pages == -(-total // 20)


def test_following_a_facet_gives_as_many_moments_as_it_said(site: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{site}/search?q={quote_plus(QUERY)}")
    total, _ = total_on(page)
    counts = facet_counts(page)
    assert counts
    for href, count in counts.items():
        page.goto(site + href)
        assert total_on(page) == (count, True), href
        assert count <= total


def test_a_page_past_the_end_says_so_and_links_back(site: str, page) -> None:  # type: ignore[no-untyped-def]
    response = page.goto(f"{site}/search?q={quote_plus(QUERY)}&page=99")
    assert response is not None and response.status == 404
    assert "past the end" in page.locator(".notice").first.inner_text()
    assert page.locator("a[rel=next]").count() == 0
    page.get_by_role("link", name="Go to the last page").click()
    page.wait_for_load_state()
    assert page.locator(".hit").count() > 0 and page.locator("a[rel=next]").count() == 0
    response = page.goto(f"{site}/talks?page=99")
    assert response is not None and response.status == 404
    page.get_by_role("link", name="Go to the last page").click()
    page.wait_for_load_state()
    assert page.locator(".talk-list li").count() > 0
