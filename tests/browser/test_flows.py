"""What a person sees and clicks, in headless Chromium against `talks serve` on loopback."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LINE_SECONDS, save_screenshot
from tests.conftest import SAMPLE_SLUG

pytestmark = pytest.mark.browser
MEDIA = "/talks/media-talk"
PAIR = "/talks/sorting-in-practice"  # an edited transcript and its captions


def player_time(pg) -> float:  # type: ignore[no-untyped-def]
    return pg.evaluate("document.querySelector('#player').currentTime")


def wait_player_at(pg, seconds: float) -> None:  # type: ignore[no-untyped-def]
    pg.wait_for_function(
        "([t]) => { const p = document.querySelector('#player');"
        " return p && p.readyState >= 1 && Math.abs(p.currentTime - t) < 1.5; }",
        arg=[seconds],
        timeout=10_000,
    )


def current_line(pg):  # type: ignore[no-untyped-def]
    return pg.locator("#transcript li.current")


def in_viewport(pg, locator) -> bool:  # type: ignore[no-untyped-def]
    box = locator.bounding_box()
    height = pg.evaluate("window.innerHeight")
    return box is not None and 0 <= box["y"] and box["y"] + box["height"] <= height


def test_typing_a_quote_shows_highlighted_hits(site: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(site + "/")
    page.fill("#q", "")
    page.type("#q", "the speaker says kilo signal 36", delay=20)
    # search as you type, no submit; on a busy machine a pause in the typing may show the
    # results of its first words before the last ones: wait for those of the whole quote
    expect(page).to_have_url(re.compile(r"q=the(\+|%20)speaker.*signal(\+|%20)36$"))
    expect(page.locator(".hit .time").first).to_have_text("1:48")
    assert "kilo" in page.locator(".hit mark").all_inner_texts()

    page.press("#q", "Enter")  # the plain form still works
    page.wait_for_url(re.compile(r"/search\?q="))
    assert page.locator(".talk-group .talk-title").first.inner_text().startswith("Generated tones")


def test_opening_a_hit_starts_the_player_at_that_second(site: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(site + "/search?q=" + "%22moment 40 the speaker%22")
    page.locator(".hit a.moment").first.click()
    page.wait_for_url(re.compile(MEDIA + r"\?t=120&q="))  # the query comes along
    wait_player_at(page, 120)
    line = current_line(page)
    assert line.get_attribute("data-start") == "120.0"
    assert in_viewport(page, line)


def test_clicking_a_timestamp_seeks_and_updates_the_link(site: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(site + MEDIA + "?t=30")
    wait_player_at(page, 30)
    page.locator("#s25 a.ts").click()
    wait_player_at(page, 25 * LINE_SECONDS)
    assert page.url.endswith("?t=75")
    assert page.input_value("#share-link").endswith(MEDIA + "?t=75")
    assert current_line(page).get_attribute("id") == "s25"


def test_playing_marks_and_follows_the_line_until_the_reader_scrolls(site: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(site + MEDIA + "?t=29")
    wait_player_at(page, 29)
    page.evaluate("document.querySelector('#player').play()")
    page.wait_for_function(
        "() => document.querySelector('#transcript li.current').id === 's10'", timeout=10_000
    )
    assert in_viewport(page, current_line(page))
    page.mouse.wheel(0, 600)  # the reader scrolls away: following stops
    page.wait_for_timeout(300)
    scrolled_to = page.evaluate("window.scrollY")
    page.wait_for_function(
        "() => document.querySelector('#transcript li.current').id === 's11'", timeout=10_000
    )
    assert abs(page.evaluate("window.scrollY") - scrolled_to) < 5


def test_chapters_jump(site: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(site + MEDIA)
    page.locator(".chapters a", has_text="Part 3").click()
    wait_player_at(page, 120)
    assert current_line(page).get_attribute("id") == "s40"


def test_keyboard_only(site: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(site + "/search?q=juliett+signal+9")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('moment')"):
            break
    else:
        pytest.fail("Tab never reached a result")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(MEDIA + r"\?t=27&q="))
    wait_player_at(page, 27)
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press(" ")
    page.wait_for_function("() => !document.querySelector('#player').paused", timeout=5_000)
    focus_ring = page.evaluate(
        "getComputedStyle(document.querySelector('a.ts'), ':focus-visible').outlineStyle"
    )
    assert focus_ring is not None


@pytest.mark.parametrize("path", ["/search?q=signal+clearly", MEDIA + "?t=60", "/"])
def test_phone_width_has_no_horizontal_scroll(site: str, browser, path: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    context.route("https://www.youtube.com/**", lambda route: route.abort())
    pg = context.new_page()
    pg.goto(site + path)
    overflow = pg.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    context.close()
    assert overflow <= 0


def test_youtube_talk_wires_the_iframe_api(site: str, page) -> None:  # type: ignore[no-untyped-def]
    with page.expect_request("https://www.youtube.com/iframe_api"):  # fails if never asked
        page.goto(site + f"/talks/{SAMPLE_SLUG}?t=1244")
    src = page.get_attribute("iframe#player", "src")
    assert src == "https://www.youtube.com/embed/xVYOdRrN7hw?enablejsapi=1&start=1244"
    assert current_line(page).get_attribute("data-start") == "1244.0"


@pytest.mark.parametrize(
    ("name", "path", "width"),
    [
        ("search-desktop", "/search?q=if+you+want+to+go+far+go+together", 1200),
        ("search-phone", "/search?q=if+you+want+to+go+far+go+together", 390),
        ("talk-desktop", MEDIA + "?t=60", 1200),
        ("talk-phone", MEDIA + "?t=60", 390),
        ("sample-talk-desktop", f"/talks/{SAMPLE_SLUG}?t=1244&q=go+far+go+together", 1200),
        ("sample-talk-phone", f"/talks/{SAMPLE_SLUG}?t=1244&q=go+far+go+together", 390),
        ("two-transcripts-desktop", PAIR + "?t=14&q=team+sword", 1200),
        ("home-desktop", "/", 1200),
        ("home-phone", "/", 390),
        ("talks-desktop", "/talks?topic=history", 1200),
        ("talks-phone", "/talks?topic=history", 390),
        ("speaker-desktop", "/speakers/ada-lovelace", 1200),
        ("facets-desktop", "/search?q=analytical+engine", 1200),
        ("facets-phone", "/search?q=analytical+engine&speaker=ada-lovelace", 390),
        ("sounds-desktop", "/search?q=scikit-learn", 1200),
        ("sounds-phone", "/search?q=timsort+python", 390),
        ("meaning-desktop", "/search?q=getting+a+first+machine+learning+job", 1200),
        ("meaning-phone", "/search?q=getting+a+first+machine+learning+job&mode=meaning", 390),
        ("related-desktop", f"/talks/{SAMPLE_SLUG}?t=600", 1200),
    ],
)
def test_screenshots(site: str, browser, name: str, path: str, width: int) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.route("https://www.youtube.com/**", lambda route: route.abort())
    pg = context.new_page()
    pg.goto(site + path)
    pg.wait_for_load_state("networkidle")
    # the page opens on its subject: the moment on a talk page, else its heading
    subject = current_line(pg) if "?t=" in path else pg.locator("main h1, main .count").first
    assert subject.is_visible() and in_viewport(pg, subject)
    overflow = pg.evaluate("document.documentElement.scrollWidth - innerWidth")
    shot = save_screenshot(pg, name)
    context.close()
    assert overflow <= 0 and shot.stat().st_size > 5_000


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/search?q=signal+clearly",
        "/search?q=zzzzqqq",
        MEDIA + "?t=60",
        "/talks",
        "/talks?speaker=ada-lovelace&sort=title",
        "/speakers",
        "/speakers/ada-lovelace",
        "/topics",
        "/topics/engines",
        "/search?q=analytical+engine",
        "/search?q=analytical+engine&speaker=ada-lovelace&page=2",
        PAIR + "?t=14&q=team+sword",
        PAIR + "?t=14&transcript=captions",
        "/search?q=scikit-learn",
        "/search?q=getting+a+first+machine+learning+job",
        "/search?q=getting+a+first+machine+learning+job&mode=meaning",
    ],
)
def test_accessibility_checker_finds_nothing(site: str, page, path: str) -> None:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    page.goto(site + path)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def hit_speakers(pg) -> set[str]:  # type: ignore[no-untyped-def]
    return set(pg.locator(".hit .who").all_inner_texts())


def test_browsing_talks_speakers_and_topics(site: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(site + "/")
    page.get_by_role("navigation", name="Browse").get_by_role("link", name="Talks").click()
    page.wait_for_url(re.compile(r"/talks$"))
    page.select_option("select[name=speaker]", "ada-lovelace")
    page.select_option("select[name=sort]", "oldest")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"speaker=ada-lovelace"))
    titles = page.locator(".talk-list .talk-link").all_inner_texts()
    assert titles == [
        "Episode 0: Ada Lovelace on engines",
        "Episode 4: Ada Lovelace on engines",
        "Sorting in practice",  # no date: last
    ]
    page.locator(".talk-list .tag", has_text="engines").first.click()
    page.wait_for_url(re.compile(r"/topics/engines$"))
    assert page.locator("h1").inner_text() == "engines"
    page.get_by_role("link", name="Ada Lovelace").first.click()
    page.wait_for_url(re.compile(r"/speakers/ada-lovelace$"))
    page.fill("#scoped-q", "analytical engine")
    page.press("#scoped-q", "Enter")
    page.wait_for_url(re.compile(r"speaker=ada-lovelace"))
    assert hit_speakers(page) == {"Ada Lovelace"}


def test_choosing_a_filter_and_paging_keep_it(site: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(site + "/search?q=analytical+engine")
    assert len(hit_speakers(page)) > 1
    page.locator(".facets").get_by_role("link", name="Alexey Grigorev", exact=True).click()
    page.wait_for_url(re.compile(r"speaker=alexey-grigorev"))
    assert hit_speakers(page) == {"Alexey Grigorev"}
    page.get_by_role("link", name="Next").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert "speaker=alexey-grigorev" in page.url and hit_speakers(page) == {"Alexey Grigorev"}
    page.get_by_role("link", name="Remove the speaker filter").click()
    page.wait_for_url(lambda url: "speaker=" not in url)
    assert len(hit_speakers(page)) > 1


def test_search_as_you_type_keeps_the_filter(site: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(site + "/search?q=analytical&speaker=grace-hopper")
    page.fill("#q", "")
    page.type("#q", "weaves pattern", delay=20)
    page.wait_for_function("() => location.search.includes('weaves')")
    page.wait_for_selector(".hit mark")
    assert "speaker=grace-hopper" in page.url
    assert hit_speakers(page) == {"Grace Hopper"}
    assert page.locator(".chip-active").inner_text().startswith("Speaker: Grace Hopper")


@pytest.mark.parametrize("width", [1200, 390])
def test_player_stays_in_view_at_a_late_moment(site: str, browser, width: int) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": width, "height": 800})
    context.route("https://www.youtube.com/**", lambda route: route.abort())
    pg = context.new_page()
    pg.goto(site + f"/talks/{SAMPLE_SLUG}?t=3000")
    assert in_viewport(pg, pg.locator(".player")) and in_viewport(pg, current_line(pg))
    watch = pg.locator("#watch-link")  # the frame cannot load here: the link remains
    assert watch.inner_text() == "Watch on YouTube at 50:00"
    later = pg.locator("#transcript li[data-start]").nth(1500)
    later.scroll_into_view_if_needed()
    later.locator("a.ts").click()
    pg.wait_for_function("() => location.search.includes('t=')")
    assert current_line(pg).get_attribute("id") == later.get_attribute("id")
    assert in_viewport(pg, pg.locator(".player")) and in_viewport(pg, current_line(pg))
    assert watch.get_attribute("href").endswith(
        f"&t={int(float(later.get_attribute('data-start')))}s"
    )
    context.close()


def test_from_a_hit_the_quote_is_marked_and_the_talk_searchable(site: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(site + "/search?q=team+sword")
    group = page.locator(".talk-group", has=page.get_by_role("link", name="Sorting in practice"))
    group.locator(".hit a.moment").first.click()
    page.wait_for_url(re.compile(r"/talks/sorting-in-practice\?t=14&q=team"))
    assert page.locator("#transcript li.current mark").all_inner_texts() == ["Timsort"]
    assert in_viewport(page, page.locator("#transcript li.current mark"))
    page.fill("#talk-q", "kaggle")
    page.press("#talk-q", "Enter")
    page.wait_for_url(re.compile(r"talk=sorting-in-practice"))
    assert set(page.locator(".talk-group .talk-title a").all_inner_texts()) == {
        "Sorting in practice"
    }


def test_the_transcript_switch_shows_each_text_at_the_same_times(site: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(site + PAIR + "?t=14")
    assert "Timsort" in current_line(page).inner_text()
    page.get_by_role("navigation", name="Transcripts of this talk").get_by_role(
        "link", name="Captions"
    ).click()
    page.wait_for_url(re.compile(r"transcript=captions"))
    assert "t=14" in page.url
    line = current_line(page)
    assert "team sword" in line.inner_text() and line.get_attribute("data-start") == "14.0"
    assert "Ada Lovelace" in page.locator("#transcript .who").all_inner_texts()


def test_the_find_by_control_switches_between_words_and_meaning(site: str, page) -> None:  # type: ignore[no-untyped-def]
    from app.search.meaning.embedder import ModelRefused, model_files

    try:
        model_files()
    except ModelRefused as exc:
        pytest.skip(f"{exc}: the find-by control shows only with meaning search on")
    page.goto(site + "/search?q=getting+a+first+machine+learning+job")
    modes = page.locator("nav.modes")
    assert modes.locator("[aria-current]").inner_text() == "Words and meaning"
    assert page.locator(".hit .badge.both, .hit .badge.meaning").count() > 0

    modes.get_by_role("link", name="Meaning").click()
    page.wait_for_url(re.compile(r"mode=meaning"))
    assert page.locator("nav.modes [aria-current]").inner_text() == "Meaning"
    hits = page.locator(".hit")
    assert hits.count() > 0 and page.locator(".hit .badge.meaning").count() == hits.count()
    assert page.locator(".hit mark").count() == 0  # found by meaning: no words to mark

    page.fill("#q", "become a data scientist")  # the header's search keeps the mode
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"q=become.*mode=meaning|mode=meaning.*q=become"))
    assert page.locator("nav.modes [aria-current]").inner_text() == "Meaning"

    page.locator("nav.modes").get_by_role("link", name="Exact words").click()
    page.wait_for_url(re.compile(r"mode=words"))
    assert page.locator(".hit .badge.meaning, .hit .badge.both").count() == 0


def test_related_moments_follow_the_moment_in_view(site: str, page) -> None:  # type: ignore[no-untyped-def]
    from app.search.meaning.embedder import ModelRefused, model_files

    try:
        model_files()
    except ModelRefused as exc:
        pytest.skip(f"{exc}: related moments show only with meaning search on")
    page.goto(site + MEDIA + "?t=60")
    related = page.locator("section.related")
    assert related.locator(".related-about .time").inner_text() == "1:00"
    assert related.locator("li a").count() > 0
    assert "/talks/media-talk" not in (related.locator("li a").first.get_attribute("href") or "")
    page.locator("#s50 a.ts").click()  # line 50 is said at 2:30
    page.wait_for_function(
        "() => document.querySelector('section.related .related-about .time').textContent"
        " === '2:30'"
    )
    assert related.locator("li a").count() > 0
