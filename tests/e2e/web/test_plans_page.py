"""Buying a plan in a browser: the WoT-discounted price, "Choose", the Lightning invoice (QR code,
text, Copy), "Simulate payment" with the fake provider turning the status to "Paid" while the page
stays loaded, then the printable receipt."""

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from adapters.web.amounts import amount_text
from domain.billing.plans import discounted
from domain.billing.subscriptions import Currency
from tests.e2e.web.phone_fit import fits_a_dark_phone
from tests.support.browser import assert_accessible, screenshots, sign_in_with_extension
from tests.support.trust_graph import ALICE

pytestmark = pytest.mark.integration


def test_a_plan_bought_with_the_fake_provider_turns_paid_without_a_reload_and_has_a_receipt(
    web, page: Page, shots
):
    figures = httpx.get(web.url(f"/api/v1/wot/{ALICE.pubkey}"), timeout=30).json()
    percent = figures["discount_percent"]
    assert percent > 0, figures
    sign_in_with_extension(page, web.base_url, ALICE.secret_key)

    page.goto(web.url("/plans"))
    expect(page.get_by_text(f"Your Web of Trust earns you a {percent}% discount")).to_be_visible()
    plan = page.get_by_role("article", name="Pro (monthly)")
    expect(plan).to_contain_text("21,000 sats or $5.00 for 30 days")
    expect(plan).to_contain_text(
        f"{amount_text(discounted(21_000, percent), Currency.SAT)} or "
        f"{amount_text(discounted(500, percent), Currency.USD)} ({percent}% off)"
    )
    assert_accessible(page)
    assert fits_a_dark_phone(page)
    screenshots(page, "plans", shots)

    plan.get_by_role("button", name="Choose Pro (monthly)").click()
    page.wait_for_url(re.compile(r".*/payments/[0-9a-f-]{36}$"))
    payment_url = page.url
    expect(page.get_by_role("img", name="Lightning invoice QR code")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Waiting for payment")).to_be_visible()
    bolt11 = page.get_by_role("textbox", name="Invoice").input_value()
    assert bolt11.startswith("lnbcrt")
    expect(page.get_by_role("link", name="Open in a wallet")).to_have_attribute("href", f"lightning:{bolt11}")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_text("Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == bolt11
    expect(page.get_by_role("link", name="Receipt")).to_be_hidden()
    assert_accessible(page)
    assert fits_a_dark_phone(page)
    screenshots(page, "payment", shots)

    page.evaluate("window.stayedLoaded = true")
    page.get_by_role("button", name="Simulate payment").click()

    expect(page.get_by_role("status").filter(has_text=re.compile(r"^Paid$"))).to_be_visible()
    assert page.evaluate("window.stayedLoaded === true") and page.url == payment_url
    expect(page.get_by_role("img", name="Lightning invoice QR code")).to_be_hidden()
    page.get_by_role("link", name="Receipt").click()
    page.wait_for_url(payment_url + "/receipt")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^Receipt \S+$"))
    expect(page.get_by_role("article")).to_contain_text(
        amount_text(discounted(21_000, percent), Currency.SAT)
    )
    assert_accessible(page)
    assert fits_a_dark_phone(page)
    screenshots(page, "receipt", shots)


def test_a_stranger_sees_the_list_prices_and_is_asked_to_sign_in(web, page: Page):
    page.goto(web.url("/plans"))

    expect(page.get_by_role("article", name="Pro (yearly)")).to_contain_text("210,000 sats or $50.00")
    expect(page.get_by_role("button", name=re.compile("^Choose"))).to_have_count(0)
    expect(page.get_by_role("main").get_by_role("link", name="Sign in")).to_be_visible()
