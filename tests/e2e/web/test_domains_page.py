"""The custom domains page in a browser: add a domain, see the exact TXT record, "Check now" fails
with its reason until the record is published, then verifies."""

import secrets

import pytest
from playwright.sync_api import Page, expect

from client import NostrIdClient
from domain.nostr.signing import generate_secret_key, public_key_of
from tests.support.browser import (
    assert_accessible,
    has_horizontal_scroll,
    screenshots,
    sign_in_with_extension,
)
from tests.support.web import query_profile

pytestmark = pytest.mark.integration


def paying_account(base_url: str) -> str:
    """A new account on the pro plan (paid through the fake provider), whose quota has a domain."""
    secret_key = generate_secret_key()
    with NostrIdClient(base_url) as api:
        account = api.with_nostr_key(secret_key)
        checkout = account.subscribe("pro-monthly", "fake")
        account.fake_settle(checkout.payment.id)
    return secret_key


def test_a_domain_is_added_checked_and_verified_once_its_txt_record_is_published(web, page: Page, shots):
    secret_key = paying_account(web.base_url)
    sign_in_with_extension(page, web.base_url, secret_key)
    domain = f"web-{secrets.token_hex(4)}.org"
    page.goto(web.url("/account/domains"))

    page.get_by_role("textbox", name="Domain").fill(domain)
    page.get_by_role("button", name="Add domain").click()

    card = page.get_by_role("article", name=domain)
    with NostrIdClient(web.base_url) as api:
        (record,) = [found.verification for found in api.with_nostr_key(secret_key).domains()]
    record_name, value = record.name, record.value
    assert card.get_by_role("definition").all_inner_texts() == [record_name, "TXT", value]
    card.get_by_role("button", name="Check now").click()
    card = page.get_by_role("article", name=domain)
    expect(card.get_by_role("status")).to_have_text(f"no TXT record {value!r} at {record_name}")
    assert_accessible(page)
    screenshots(page, "domains", shots)

    web.dns.set_txt(record_name, value)
    card.get_by_role("button", name="Check now").click()

    card = page.get_by_role("article", name=domain)
    expect(card.get_by_role("status")).to_have_text("the TXT record was found; the domain is verified")
    expect(card).to_contain_text("Status: verified")

    page.goto(web.url("/account"))
    page.get_by_role("textbox", name="Name").fill("alice")
    page.get_by_role("combobox", name="Domain").select_option(domain)
    expect(page.get_by_role("status").filter(has_text="@")).to_have_text(f"alice@{domain} is available")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("article", name=f"alice@{domain}")).to_contain_text("nostr.json serves it now.")
    assert query_profile(web.base_url, f"alice@{domain}") == {
        "pubkey": public_key_of(secret_key),
        "relays": [],
    }


def test_the_domains_page_fits_a_360_pixel_screen_in_the_dark_scheme(web, phone: Page):
    phone.emulate_media(color_scheme="dark")  # the light scheme is checked at desktop size
    sign_in_with_extension(phone, web.base_url)
    phone.goto(web.url("/account/domains"))

    assert not has_horizontal_scroll(phone)
    assert_accessible(phone)


def test_check_now_answers_with_a_redirect_so_a_reload_posts_nothing_again(web, page: Page):
    sign_in_with_extension(page, web.base_url, paying_account(web.base_url))
    domain = f"web-{secrets.token_hex(4)}.org"
    page.goto(web.url("/account/domains"))
    page.get_by_role("textbox", name="Domain").fill(domain)
    page.get_by_role("button", name="Add domain").click()

    with page.expect_response(lambda answer: answer.request.method == "POST") as posted:
        page.get_by_role("article", name=domain).get_by_role("button", name="Check now").click()

    assert posted.value.status == 303
    page.wait_for_url(web.url("/account/domains"))
    expect(page.get_by_role("article", name=domain).get_by_role("status")).to_contain_text("no TXT record")
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.reload()
    expect(page.get_by_role("article", name=domain)).to_contain_text("Status: pending")
    # The outcome is shown once: the reloaded page asks the DNS nothing and shows no stale answer.
    expect(page.get_by_role("article", name=domain).get_by_role("status")).to_have_count(0)
    assert posts == []


def test_t1_a_removed_domain_ends_the_names_on_it(web, page: Page, shots):
    secret_key = paying_account(web.base_url)
    sign_in_with_extension(page, web.base_url, secret_key)
    domain = f"web-{secrets.token_hex(4)}.org"
    page.goto(web.url("/account/domains"))
    page.get_by_role("textbox", name="Domain").fill(domain)
    page.get_by_role("button", name="Add domain").click()
    with NostrIdClient(web.base_url) as api:
        (record,) = [found.verification for found in api.with_nostr_key(secret_key).domains()]
    web.dns.set_txt(record.name, record.value)
    page.get_by_role("article", name=domain).get_by_role("button", name="Check now").click()
    expect(page.get_by_role("article", name=domain)).to_contain_text("Status: verified")
    page.goto(web.url("/account"))
    page.get_by_role("textbox", name="Name").fill("bob")
    page.get_by_role("combobox", name="Domain").select_option(domain)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("article", name=f"bob@{domain}")).to_contain_text("nostr.json serves it now.")
    page.goto(web.url("/account/domains"))
    card = page.get_by_role("article", name=domain)
    assert_accessible(page)
    screenshots(page, "domains-remove", shots)

    # Without the box ticked (the browser asks for it; a hand-made post is refused too), nothing ends.
    action = card.locator("form[action$='/remove']").get_attribute("action")
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    unticked = page.request.post(
        web.url(action), form={"_csrf_token": token}, headers={"origin": web.base_url}, max_redirects=0
    )
    assert unticked.status == 422 and "tick the box" in unticked.text()
    assert query_profile(web.base_url, f"bob@{domain}") is not None

    card.get_by_role("checkbox", name=f"End my names on {domain} too").check()
    card.get_by_role("button", name=f"Remove {domain}").click()

    expect(page.get_by_role("status")).to_have_text("The domain is removed, and every name you held on it.")
    expect(page.get_by_role("article", name=domain)).to_have_count(0)
    assert query_profile(web.base_url, f"bob@{domain}") is None
