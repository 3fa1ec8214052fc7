"""API keys in a browser: create one (shown once, copied), use it against the API and see its use
on the page (last use and the daily chart), revoke it and see the API refuse it."""

import time

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.web.phone_fit import fits_a_dark_phone
from tests.support.browser import assert_accessible, screenshots, sign_in_with_extension
from tests.support.trust_graph import BOB

pytestmark = pytest.mark.integration
# Uses reach the page after the next usage flush (USAGE_FLUSH_INTERVAL, 2 s by default).
USAGE_DEADLINE = 30.0


def test_a_key_is_created_copied_used_charted_and_revoked(web, page: Page, shots):
    sign_in_with_extension(page, web.base_url)
    page.get_by_role("link", name="API keys").click()
    page.wait_for_url(web.url("/account/keys"))

    page.get_by_role("textbox", name="Key name").fill("ci-bot")
    page.get_by_role("checkbox", name="wot:read").check()
    page.get_by_role("button", name="Create key").click()

    field = page.get_by_role("textbox", name="Your new key")
    expect(field).to_have_attribute("readonly", "")
    key = field.input_value()
    assert key.startswith("nid_")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_text("Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == key
    assert_accessible(page)
    card = page.get_by_role("article", name="ci-bot")
    expect(card).to_contain_text("Last used")
    expect(card.get_by_role("img", name="Requests per day with ci-bot: No requests")).to_be_visible()

    used = httpx.get(web.url(f"/api/v1/wot/{BOB.pubkey}"), headers={"X-API-Key": key}, timeout=30)
    assert used.status_code == 200, used.text
    deadline = time.monotonic() + USAGE_DEADLINE
    chart = card.get_by_role("img", name="Requests per day with ci-bot: 1 request from")
    while chart.count() == 0 and time.monotonic() < deadline:
        page.goto(web.url("/account/keys"))
    expect(chart).to_be_visible()
    expect(page.get_by_role("textbox", name="Your new key")).to_have_count(0)
    assert_accessible(page)
    assert fits_a_dark_phone(page)
    screenshots(page, "keys", shots)

    card.get_by_role("button", name="Revoke ci-bot").click()

    expect(page.get_by_role("status").filter(has_text="The key is revoked")).to_be_visible()
    expect(page.get_by_role("button", name="Revoke ci-bot")).to_have_count(0)
    refused = httpx.get(web.url(f"/api/v1/wot/{BOB.pubkey}"), headers={"X-API-Key": key}, timeout=30)
    assert refused.status_code == 401


def test_a_key_without_a_scope_is_refused_with_the_reason(web, page: Page):
    sign_in_with_extension(page, web.base_url)
    page.goto(web.url("/account/keys"))

    page.get_by_role("textbox", name="Key name").fill("no scope")
    page.get_by_role("button", name="Create key").click()

    expect(page.get_by_role("alert")).to_contain_text("choose at least one scope")
    expect(page.get_by_role("textbox", name="Key name")).to_have_value("no scope")
    expect(page.get_by_role("textbox", name="Your new key")).to_have_count(0)
