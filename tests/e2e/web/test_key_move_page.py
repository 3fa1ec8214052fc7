"""Moving an account to a new key in a browser, with two real keys: the new key signs the event the
page shows, the old key (the browser extension) signs its consent; the names follow the account,
and the browser signs in again with the new key."""

import json
import re
import secrets

import msgspec
import pytest
from playwright.sync_api import Browser, Page, expect

from domain.nostr.nip19 import encode_npub
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event
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


def signed_by(secret_key: str, shown: str) -> str:
    """The event the page shows, signed by `secret_key` as a signer app would, as JSON."""
    template = json.loads(shown)
    event = sign_event(
        secret_key,
        kind=template["kind"],
        tags=template["tags"],
        content=template["content"],
        created_at=template["created_at"],
    )
    return msgspec.json.encode(event).decode()


def test_n7_an_account_moves_to_a_new_key_keeps_its_name_and_its_old_sessions_end(
    web, browser: Browser, page: Page, shots
):
    old_key = sign_in_with_extension(page, web.base_url)
    elsewhere_context = browser.new_context()
    elsewhere = elsewhere_context.new_page()
    sign_in_with_extension(elsewhere, web.base_url, old_key)
    name = "move-" + secrets.token_hex(4)
    page.get_by_role("textbox", name="Name").fill(name)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("article", name=f"{name}@{DOMAIN}")).to_be_visible()
    new_key = generate_secret_key()
    new_pubkey = public_key_of(new_key)

    page.get_by_role("link", name="Move to a new key").click()
    page.wait_for_url(web.url("/account/key"))
    assert_accessible(page)
    page.get_by_role("button", name="Get a challenge").click()
    to_sign = page.get_by_role("textbox", name="Event to sign with the new key")
    expect(to_sign).to_have_value(re.compile(r"\"kind\": 22242"))
    page.get_by_role("textbox", name="New key's signed event").fill(signed_by(new_key, to_sign.input_value()))
    screenshots(page, "key-move", shots)
    page.get_by_role("button", name="Move to the new key").click()

    page.wait_for_url(web.url("/signin?moved=1"))
    expect(page.get_by_text("Your account is on its new key now: sign in with it.")).to_be_visible()
    assert query_profile(web.base_url, f"{name}@{DOMAIN}") == {"pubkey": new_pubkey, "relays": []}
    # The old key's other session ended with the move.
    elsewhere.goto(web.url("/account"))
    elsewhere.wait_for_url(web.url("/signin"))
    elsewhere_context.close()
    context = browser.new_context(viewport=PHONE)
    try:
        moved = context.new_page()
        sign_in_with_extension(moved, web.base_url, new_key)
        expect(moved.get_by_text(encode_npub(new_pubkey))).to_be_visible()
        expect(moved.get_by_role("article", name=f"{name}@{DOMAIN}")).to_contain_text(
            "nostr.json serves it now."
        )
        moved.goto(web.url("/account/key"))
        assert not has_horizontal_scroll(moved)
        assert_accessible(moved)
    finally:
        context.close()


def test_n7_a_new_key_event_over_another_challenge_is_refused_and_nothing_moves(web, page: Page):
    old_key = sign_in_with_extension(page, web.base_url)
    page.goto(web.url("/account/key"))
    page.get_by_role("button", name="Get a challenge").click()
    expect(page.get_by_role("textbox", name="Event to sign with the new key")).not_to_have_value("")
    shown = json.loads(page.get_by_role("textbox", name="Event to sign with the new key").input_value())
    shown["tags"] = [["relay", shown["tags"][0][1]], ["challenge", "0" * 64]]

    page.get_by_role("textbox", name="New key's signed event").fill(
        signed_by(generate_secret_key(), json.dumps(shown))
    )
    page.get_by_role("button", name="Move to the new key").click()

    expect(page.get_by_role("status")).to_contain_text("The move failed")
    page.goto(web.url("/account"))
    expect(page.get_by_text(encode_npub(public_key_of(old_key)))).to_be_visible()


def test_a_remote_signer_holding_the_new_key_signs_its_part_of_the_move(
    web, browser: Browser, page: Page, bunker
):
    sign_in_with_extension(page, web.base_url)
    new_key = generate_secret_key()
    _, lines = bunker(web.relay_url, new_key, "bunker")
    (bunker_url,) = [line for line in lines if line.startswith("bunker://")]
    page.goto(web.url("/account/key"))
    page.get_by_role("button", name="Get a challenge").click()
    expect(page.get_by_role("textbox", name="Event to sign with the new key")).not_to_have_value("")

    page.get_by_role("textbox", name="New key's bunker URL").fill(bunker_url)
    page.get_by_role("button", name="Sign with the remote signer").click()

    expect(page.get_by_role("status")).to_have_text(
        "The new key has signed: now move to it with your browser extension's consent."
    )
    signed = json.loads(page.get_by_role("textbox", name="New key's signed event").input_value())
    assert signed["pubkey"] == public_key_of(new_key)
    page.get_by_role("button", name="Move to the new key").click()
    page.wait_for_url(web.url("/signin?moved=1"))
    context = browser.new_context()
    try:
        moved = context.new_page()
        sign_in_with_extension(moved, web.base_url, new_key)
        expect(moved.get_by_text(encode_npub(public_key_of(new_key)))).to_be_visible()
    finally:
        context.close()
