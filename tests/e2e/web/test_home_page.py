"""The first page in a browser: the name search, its links, accessibility and size."""

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import assert_accessible, has_horizontal_scroll, screenshots

pytestmark = pytest.mark.integration


def test_a_name_is_checked_with_the_check_button(web, page: Page, shots):
    page.goto(web.url("/"))

    page.get_by_role("textbox", name="Name").fill("a-free-name")
    page.get_by_role("button", name="Check").click()

    expect(page.get_by_role("status")).to_have_text("a-free-name@web.nostr-id.test is available")
    for link in ("Sign in", "Plans", "Trust"):
        expect(page.get_by_role("link", name=link).first).to_be_visible()
    assert_accessible(page)
    screenshots(page, "home", shots)


def test_the_answer_follows_the_typing(web, page: Page):
    page.goto(web.url("/"))

    page.get_by_role("textbox", name="Name").press_sequentially("admin")

    expect(page.get_by_role("status")).to_contain_text("admin@web.nostr-id.test is")


def test_the_first_page_fits_a_360_pixel_screen(web, phone: Page):
    phone.goto(web.url("/"))

    assert not has_horizontal_scroll(phone)
    assert_accessible(phone)
