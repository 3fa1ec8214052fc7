"""A page on a 360-pixel-wide phone in the dark scheme: no sideways scrolling, and axe-core finds
no serious or critical violation there either (the light scheme is checked at desktop size)."""

from playwright.sync_api import Page

from tests.support.browser import PHONE, assert_accessible, has_horizontal_scroll


def fits_a_dark_phone(page: Page) -> bool:
    """The page at 360x740 in the dark scheme does not scroll sideways and passes axe-core; the
    viewport and the scheme are put back afterwards."""
    before = page.viewport_size
    page.set_viewport_size(PHONE)
    page.emulate_media(color_scheme="dark")
    try:
        assert_accessible(page)
        return not has_horizontal_scroll(page)
    finally:
        page.emulate_media(color_scheme="light")
        if before is not None:
            page.set_viewport_size(before)
