"""/docs as a developer opens it, offline: Swagger UI renders the archive's OpenAPI 3.1 (the
bundled Swagger UI 4 once showed "Unable to render this definition") and lists its operations,
under the page's Content-Security-Policy."""

import pytest

from tests.browser.conftest import save_screenshot

pytestmark = pytest.mark.browser


def test_the_api_docs_list_the_operations(site: str, page) -> None:  # type: ignore[no-untyped-def]
    refused: list[str] = []
    page.on(
        "console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None
    )
    page.goto(site + "/docs")
    operation = page.locator(".opblock-summary-path", has_text="/api/search")
    operation.first.wait_for(state="visible", timeout=30_000)
    assert page.locator(".opblock").count() >= 5
    assert page.get_by_text("Unable to render this definition").count() == 0
    assert refused == []
    save_screenshot(page, "api-docs-desktop")
