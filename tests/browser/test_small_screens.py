"""A talk opened at a moment on screens with little height: 200% zoom of a laptop (683x450 CSS
px) and a landscape phone (844x390). The sticky player takes at most 40% of the height, and the
marked line is in sight below it."""

import pytest

from tests.browser.conftest import save_screenshot
from tests.conftest import SAMPLE_SLUG

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("name", "width", "height", "mobile"),
    [("zoom-200", 683, 450, False), ("landscape-phone", 844, 390, True)],
)
def test_the_player_leaves_room_for_the_marked_line(  # type: ignore[no-untyped-def]
    site: str, browser, name: str, width: int, height: int, mobile: bool
) -> None:
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=mobile)
    context.route("https://www.youtube.com/**", lambda route: route.abort())
    page = context.new_page()
    try:
        page.goto(site + f"/talks/{SAMPLE_SLUG}?t=1244")
        line = page.locator("#transcript li.current")
        line.wait_for(state="attached")
        page.wait_for_function(
            "() => { const r = document.querySelector('#transcript li.current')"
            ".getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
        )
        player = page.locator(".talk .player").bounding_box()
        assert player is not None and player["height"] <= 0.4 * height + 12  # its padding
        box = line.bounding_box()
        assert box is not None
        # in sight: below the sticky player, above the bottom of the screen
        assert box["y"] >= player["y"] + player["height"] - 1
        assert box["y"] + box["height"] <= height
        save_screenshot(page, f"talk-{name}")
    finally:
        context.close()
