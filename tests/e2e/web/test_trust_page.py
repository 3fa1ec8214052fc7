"""Trust figures in a browser, over the small graph on the test server's relay
(tests/support/trust_graph.py): each figure labelled and read in words, the reasons behind a bot
flag, the paths from the seeds, and depth and trust from a signed-in person's own view."""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from domain.nostr.nip19 import encode_npub
from tests.e2e.web.phone_fit import fits_a_dark_phone
from tests.support.browser import assert_accessible, screenshots, sign_in_with_extension
from tests.support.trust_graph import BOB, DAVE, EVE, SEED

pytestmark = pytest.mark.integration


def figure(within: Page | Locator, label: str) -> Locator:
    """The row of a figures table whose header is `label`."""
    page = within if isinstance(within, Page) else within.page
    return within.get_by_role("row").filter(has=page.get_by_role("rowheader", name=label, exact=True))


LABELS = ("Followers", "Following", "Depth", "Trust", "Likely bot", "Account age", "Activity", "Discount")


def test_a_looked_up_npub_shows_each_figure_with_its_plain_reading(web, page: Page, shots):
    page.goto(web.url("/trust"))
    assert_accessible(page)
    assert fits_a_dark_phone(page)
    screenshots(page, "trust-lookup", shots)

    page.get_by_role("textbox", name="Pubkey or npub").fill(encode_npub(BOB.pubkey))
    page.get_by_role("button", name="Look up").click()

    page.wait_for_url(web.url(f"/trust/{encode_npub(BOB.pubkey)}"))
    expect(page.get_by_text(encode_npub(BOB.pubkey), exact=True)).to_be_visible()
    for label in LABELS:
        expect(figure(page, label)).to_be_visible()
    expect(figure(page, "Followers")).to_have_text("Followers 2 followed by 2 accounts")
    expect(figure(page, "Following")).to_have_text("Following 2 follows 2 accounts")
    expect(figure(page, "Depth")).to_have_text("Depth 1 1 hop from the seeds")
    expect(figure(page, "Likely bot")).to_contain_text("not a likely bot")
    expect(page.get_by_role("main")).to_contain_text(
        "Followed by 2 accounts, 1 hop from the seeds, not a likely bot: earns a"
    )
    expect(page.get_by_role("link", name=f"{encode_npub(SEED.pubkey)[:12]}…").first).to_be_visible()
    assert_accessible(page)
    assert fits_a_dark_phone(page)
    screenshots(page, "trust", shots)


def test_a_likely_bot_shows_the_reasons_behind_the_flag(web, page: Page):
    page.goto(web.url(f"/trust?pubkey={EVE.pubkey}"))

    page.wait_for_url(web.url(f"/trust/{encode_npub(EVE.pubkey)}"))
    expect(figure(page, "Likely bot")).to_contain_text("yes a likely bot")
    expect(figure(page, "Depth")).to_contain_text("not within reach")
    expect(figure(page, "Discount")).to_have_text("Discount 0% earns no discount on plans")
    reasons = page.get_by_role("heading", name="Reasons it is flagged as a likely bot").locator("+ ul")
    expect(reasons).to_contain_text("No account in the web of trust follows it.")
    expect(reasons).to_contain_text("It has published no profile (kind 0).")
    # Eve's events are dated the day before the run's day: one to two days old.
    expect(reasons).to_contain_text(
        re.compile(r"Its oldest event found is [12](\.[0-9])? days old, younger than 7 days\.")
    )


def test_a_malformed_key_is_refused_with_the_reason(web, page: Page):
    page.goto(web.url("/trust"))

    page.get_by_role("textbox", name="Pubkey or npub").fill("npub1nope")
    page.get_by_role("button", name="Look up").click()

    expect(page.get_by_role("alert")).to_have_text(
        "Not a valid bech32 npub: paste a 64-character hex pubkey or an npub."
    )
    expect(page.get_by_role("textbox", name="Pubkey or npub")).to_have_value("npub1nope")


def test_a_signed_in_person_also_sees_depth_and_trust_from_their_own_view(web, page: Page, shots):
    # dave follows alice, who follows bob: bob is 1 hop from the seed and 2 from dave.
    sign_in_with_extension(page, web.base_url, DAVE.secret_key)

    page.goto(web.url(f"/trust/{encode_npub(BOB.pubkey)}"))

    figures = page.get_by_role("region", name="Figures")
    expect(figure(figures, "Depth")).to_have_text("Depth 1 1 hop from the seeds")
    yours = page.get_by_role("region", name="From your view")
    expect(figure(yours, "Depth")).to_have_text("Depth 2 2 hops from you")
    expect(figure(yours, "Trust")).to_contain_text("seen from you")
    assert_accessible(page)
    assert fits_a_dark_phone(page)
    screenshots(page, "trust-your-view", shots)

    page.goto(web.url(f"/trust/{encode_npub(EVE.pubkey)}"))
    expect(figure(page.get_by_role("region", name="From your view"), "Depth")).to_have_text(
        "Depth none not within reach of your follows"
    )


def test_a_stranger_sees_no_view_of_their_own(web, page: Page):
    page.goto(web.url(f"/trust/{encode_npub(BOB.pubkey)}"))

    expect(page.get_by_role("region", name="Figures")).to_be_visible()
    expect(page.get_by_role("region", name="From your view")).to_have_count(0)
