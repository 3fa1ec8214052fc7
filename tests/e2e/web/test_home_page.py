"""The first page in a browser: the name search, its links, accessibility and size."""

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import (
    assert_accessible,
    has_horizontal_scroll,
    screenshots,
    sign_in_with_extension,
)

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


def test_the_dark_scheme_follows_the_system_setting_and_keeps_its_contrast(web, page: Page):
    page.emulate_media(color_scheme="dark")
    page.goto(web.url("/?name=someone"))

    background = page.evaluate("getComputedStyle(document.body).backgroundColor")

    assert background == "rgb(18, 18, 18)"
    assert_accessible(page)


def test_the_keyboard_focus_is_visible(web, page: Page):
    page.goto(web.url("/"))

    page.keyboard.press("Tab")
    page.keyboard.press("Tab")

    focused = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [document.activeElement.textContent.trim(), s.outlineStyle, s.outlineWidth]; })()"
    )
    assert focused[0] == "nostr-id"
    assert focused[1] != "none" and focused[2] != "0px"


def test_signed_in_the_first_page_offers_the_account_and_sign_out(web, page: Page):
    sign_in_with_extension(page, web.base_url)

    page.goto(web.url("/"))

    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link", name="Account")).to_be_visible()
    expect(navigation.get_by_role("button", name="Sign out")).to_be_visible()
    assert_accessible(page)
