"""The account page in a browser: sign in with a NIP-07 extension, register a name, set its relays,
see a Nostr client (nostr-tools) resolve it, release it; by keyboard alone too."""

import secrets

import pytest
from playwright.sync_api import Page, expect

from domain.nostr.nip19 import encode_npub
from domain.nostr.signing import generate_secret_key, public_key_of
from tests.support.browser import (
    assert_accessible,
    has_horizontal_scroll,
    install_nip07_signer,
    screenshots,
    sign_in_with_extension,
)
from tests.support.web import query_profile

pytestmark = pytest.mark.integration
DOMAIN = "web.nostr-id.test"


def fresh_name() -> str:
    return "web-" + secrets.token_hex(4)


def test_a_registered_name_resolves_in_nostr_tools_with_its_relays(web, page: Page, shots):
    secret_key = sign_in_with_extension(page, web.base_url)
    pubkey = public_key_of(secret_key)
    expect(page.get_by_text(encode_npub(pubkey))).to_be_visible()
    name = fresh_name()

    page.get_by_role("textbox", name="Name").fill(name)
    page.get_by_role("button", name="Register").click()

    card = page.get_by_role("article", name=f"{name}@{DOMAIN}")
    expect(card).to_contain_text("nostr.json serves it now.")
    card.get_by_role("textbox", name="Relays").fill("wss://relay.example.com")
    card.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="The relays are saved.")).to_be_visible()
    assert query_profile(web.base_url, f"{name}@{DOMAIN}") == {
        "pubkey": pubkey,
        "relays": ["wss://relay.example.com"],
    }
    expect(page.get_by_role("link", name="API keys")).to_be_visible()
    expect(page.get_by_role("region", name="Plan")).to_contain_text("Free")
    assert_accessible(page)
    screenshots(page, "account", shots)

    page.get_by_role("article", name=f"{name}@{DOMAIN}").get_by_role("button", name="Release").click()
    expect(page.get_by_role("status").filter(has_text="The name is released.")).to_be_visible()
    expect(page.get_by_role("article", name=f"{name}@{DOMAIN}")).to_have_count(0)
    assert query_profile(web.base_url, f"{name}@{DOMAIN}") is None


def test_a_refused_name_shows_the_reason(web, page: Page):
    sign_in_with_extension(page, web.base_url)

    page.get_by_role("textbox", name="Name").fill("admin")
    page.get_by_role("button", name="Register").click()

    expect(page.get_by_role("alert")).to_contain_text("reserved")


def test_sign_out_leaves_the_account(web, page: Page):
    sign_in_with_extension(page, web.base_url)

    page.get_by_role("button", name="Sign out").click()

    page.wait_for_url(web.url("/"))
    page.goto(web.url("/account"))
    page.wait_for_url(web.url("/signin"))


def test_sign_in_and_name_registration_by_keyboard_alone(web, page: Page):
    install_nip07_signer(page, generate_secret_key())
    page.goto(web.url("/signin"))
    name = fresh_name()

    # Tab from the top of the page to the extension's button, as a keyboard user does.
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Sign in with a browser extension":
            break
    page.keyboard.press("Enter")
    page.wait_for_url(web.url("/account"))
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "new-name":
            break
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Register"
    page.keyboard.press("Enter")

    expect(page.get_by_role("article", name=f"{name}@{DOMAIN}")).to_be_visible()


def test_the_account_fits_a_360_pixel_screen_in_the_dark_scheme(web, phone: Page):
    phone.emulate_media(color_scheme="dark")  # the light scheme is checked at desktop size
    sign_in_with_extension(phone, web.base_url)
    phone.get_by_role("textbox", name="Name").fill(fresh_name())
    phone.get_by_role("button", name="Register").click()
    expect(phone.get_by_role("article")).to_have_count(1)

    assert not has_horizontal_scroll(phone)
    assert_accessible(phone)


def test_a_form_posted_from_another_origin_is_refused_with_403(web, page: Page):
    sign_in_with_extension(page, web.base_url)
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    # Another origin's page (an opaque one) holding the sign-out form, with this session's token.
    page.goto("about:blank")
    page.set_content(
        f'<html lang="en"><body><form method="post" action="{web.url("/signout")}">'
        f'<input type="hidden" name="_csrf_token" value="{token}"><button>Go</button></form></body></html>'
    )

    with page.expect_response(web.url("/signout")) as answered:
        page.get_by_role("button", name="Go").click()

    assert answered.value.status == 403
    assert answered.value.request.header_value("origin") == "null"
    page.goto(web.url("/account"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
