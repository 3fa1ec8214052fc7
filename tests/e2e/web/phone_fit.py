"""Whether a page fits a 360-pixel-wide phone screen without scrolling sideways."""

from playwright.sync_api import Page

from tests.support.browser import PHONE, has_horizontal_scroll


def scrolls_sideways_on_a_phone(page: Page) -> bool:
    """The page at 360x740 scrolls horizontally; the viewport is put back afterwards."""
    before = page.viewport_size
    page.set_viewport_size(PHONE)
    try:
        return has_horizontal_scroll(page)
    finally:
        if before is not None:
            page.set_viewport_size(before)
