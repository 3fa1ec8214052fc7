"""Transfer offers, locks and reminders on the account page in a browser: Alice offers a name to
Bob, Bob (another browser) accepts it and nostr.json answers his pubkey; a locked name refuses an
offer with the reason; the reminders setting is saved through the account's use case."""

import secrets

import pytest
from playwright.sync_api import Browser, Page, expect

from domain.nostr.nip19 import encode_npub
from domain.nostr.signing import generate_secret_key, public_key_of
from tests.support.browser import (
    PHONE,
    assert_accessible,
    has_horizontal_scroll,
    screenshots,
    sign_in_with_extension,
)
from tests.support.web import query_profile

pytestmark = pytest.mark.integration
DOMAIN = "web.nostr-id.test"


def register(page: Page, name: str) -> None:
    page.get_by_role("textbox", name="Name").fill(name)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("article", name=f"{name}@{DOMAIN}")).to_be_visible()


def test_alice_offers_a_name_to_bob_who_accepts_it_in_his_own_browser(
    web, browser: Browser, page: Page, shots
):
    sign_in_with_extension(page, web.base_url)
    name = "xfer-" + secrets.token_hex(4)
    identifier = f"{name}@{DOMAIN}"
    register(page, name)
    bob_key = generate_secret_key()
    bob = public_key_of(bob_key)

    card = page.get_by_role("article", name=identifier)
    card.get_by_role("textbox", name="Offer to").fill(encode_npub(bob))
    card.get_by_role("button", name=f"Offer {identifier}").click()

    expect(page.get_by_role("status").filter(has_text="The offer is made")).to_be_visible()
    offers = page.get_by_role("region", name="Transfer offers")
    expect(offers).to_contain_text(encode_npub(bob))
    expect(offers.get_by_role("button", name="Withdraw")).to_have_count(1)
    assert_accessible(page)
    screenshots(page, "transfer-offers", shots)

    bob_context = browser.new_context(viewport=PHONE)
    try:
        bob_page = bob_context.new_page()
        sign_in_with_extension(bob_page, web.base_url, bob_key)
        received = bob_page.get_by_role("region", name="Transfer offers")
        expect(received.get_by_role("button", name=f"Accept {identifier}")).to_be_visible()
        assert not has_horizontal_scroll(bob_page)
        assert_accessible(bob_page)

        received.get_by_role("button", name=f"Accept {identifier}").click()

        expect(bob_page.get_by_role("status").filter(has_text="The name is yours.")).to_be_visible()
        expect(bob_page.get_by_role("article", name=identifier)).to_contain_text("nostr.json serves it now.")
        assert not has_horizontal_scroll(bob_page)
    finally:
        bob_context.close()
    assert query_profile(web.base_url, identifier) == {"pubkey": bob, "relays": []}
    page.reload()
    expect(page.get_by_role("article", name=identifier)).to_have_count(0)
    expect(page.get_by_role("region", name="Transfer offers").get_by_role("button")).to_have_count(0)


def test_a_withdrawn_offer_is_gone_and_a_locked_name_refuses_offers_with_the_reason(web, page: Page):
    sign_in_with_extension(page, web.base_url)
    name = "lock-" + secrets.token_hex(4)
    identifier = f"{name}@{DOMAIN}"
    register(page, name)
    receiver = public_key_of(generate_secret_key())
    card = page.get_by_role("article", name=identifier)
    card.get_by_role("textbox", name="Offer to").fill(receiver)  # hex, this time
    card.get_by_role("button", name=f"Offer {identifier}").click()
    offers = page.get_by_role("region", name="Transfer offers")
    offers.get_by_role("button", name="Withdraw").click()
    expect(page.get_by_role("status").filter(has_text="The offer is withdrawn.")).to_be_visible()
    expect(page.get_by_role("region", name="Transfer offers").get_by_role("button")).to_have_count(0)

    page.get_by_role("article", name=identifier).get_by_role("button", name="Lock", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="The name is locked")).to_be_visible()
    card = page.get_by_role("article", name=identifier)
    expect(card).to_contain_text("Locked: it refuses transfer offers.")
    card.get_by_role("textbox", name="Offer to").fill(encode_npub(receiver))
    card.get_by_role("button", name=f"Offer {identifier}").click()

    expect(page.get_by_role("alert")).to_have_text(
        f"{identifier} is locked: its owner unlocks it before it can be transferred"
    )
    expect(page.get_by_role("region", name="Transfer offers").get_by_role("button")).to_have_count(0)
    page.get_by_role("article", name=identifier).get_by_role("button", name="Unlock", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="The name is unlocked.")).to_be_visible()
    expect(
        page.get_by_role("article", name=identifier).get_by_role("button", name="Lock", exact=True)
    ).to_be_visible()


def test_an_offer_to_something_that_is_not_a_pubkey_is_refused_with_the_reason(web, page: Page):
    sign_in_with_extension(page, web.base_url)
    name = "bad-" + secrets.token_hex(4)
    register(page, name)
    card = page.get_by_role("article", name=f"{name}@{DOMAIN}")
    card.get_by_role("textbox", name="Offer to").fill("bob@example.com")
    card.get_by_role("button", name=f"Offer {name}@{DOMAIN}").click()

    expect(page.get_by_role("alert")).to_contain_text("npub")


def test_renewal_reminders_are_turned_off_and_on_again(web, page: Page):
    sign_in_with_extension(page, web.base_url)
    reminders = page.get_by_role("checkbox", name="Renewal reminders by Nostr direct message")
    initially = reminders.is_checked()

    reminders.set_checked(not initially)
    page.get_by_role("button", name="Save reminders").click()

    expect(page.get_by_role("status").filter(has_text="Your reminder setting is saved.")).to_be_visible()
    page.goto(web.url("/account"))
    expect(reminders).to_be_checked(checked=not initially)
    reminders.set_checked(initially)
    page.get_by_role("button", name="Save reminders").click()
    expect(page.get_by_role("status").filter(has_text="Your reminder setting is saved.")).to_be_visible()
    expect(reminders).to_be_checked(checked=initially)
