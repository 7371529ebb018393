"""Journey 5: a keyboard user skips the header: the first Tab reaches "Aller au contenu",
Enter puts the focus on the main content."""

import pytest

pytest.importorskip("playwright.sync_api", reason='Playwright is not installed: ".[e2e]"')
from playwright.sync_api import expect  # noqa: E402


def test_first_tab_is_the_skip_link_and_enter_moves_focus_to_main(personas):
    page = personas("keyboard").new_page()
    page.goto("/")
    skip = page.get_by_role("link", name="Aller au contenu")
    main = page.get_by_role("main")

    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # hidden until focused, then shown

    page.keyboard.press("Enter")
    expect(main).to_be_focused()
    expect(page).to_have_url(page.url.split("#")[0] + "#contenu")

    # The next Tab continues inside the content, not back in the header.
    page.keyboard.press("Tab")
    focused_in_main = main.evaluate("main => main.contains(document.activeElement)")
    assert focused_in_main, page.evaluate("document.activeElement.outerHTML")
