"""The admin page in a browser: an admin finds a user by pubkey, changes their role, suspends one
of their names and then the account; the user's next page is the sign-in page. A user who is not
an admin is refused the page."""

import os
import re
import secrets
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from domain.nostr.nip19 import encode_npub
from domain.nostr.signing import generate_secret_key, public_key_of
from tests.e2e.web.phone_fit import fits_a_dark_phone
from tests.support.browser import DESKTOP, assert_accessible, screenshots, sign_in_with_extension
from tests.support.serve import CLI

pytestmark = pytest.mark.integration
DOMAIN = "web.nostr-id.test"


def grant_admin(web, data_dir: Path) -> str:
    """A new account with the admin role, given by `nostr-id admin grant-role` before it signs in."""
    secret_key = generate_secret_key()
    env = {
        **os.environ,
        "DATABASE_URL": web.database_url,
        "RELAY_URLS": "memory://",
        "DATA_DIR": str(data_dir),
    }
    env.pop("REDIS_URL", None)
    granted = subprocess.run(
        [*CLI, "admin", "grant-role", public_key_of(secret_key), "admin"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert granted.returncode == 0, granted.stderr
    return secret_key


def test_an_admin_suspends_a_name_and_then_the_user_whose_next_page_is_sign_in(
    web, browser: Browser, page: Page, tmp_path, shots
):
    user_page = browser.new_context(viewport=DESKTOP).new_page()
    user_key = sign_in_with_extension(user_page, web.base_url)
    user_pubkey = public_key_of(user_key)
    name = "adm-" + secrets.token_hex(4)
    user_page.get_by_role("textbox", name="Name").fill(name)
    user_page.get_by_role("button", name="Register").click()
    expect(user_page.get_by_role("article", name=f"{name}@{DOMAIN}")).to_be_visible()
    expect(
        user_page.get_by_role("navigation", name="Main").get_by_role("link", name="Account")
    ).to_be_visible()
    expect(user_page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin")).to_have_count(
        0
    )
    user_page.goto(web.url("/admin"))
    expect(user_page.get_by_role("heading", name="Administrators only")).to_be_visible()
    assert_accessible(user_page)

    sign_in_with_extension(page, web.base_url, grant_admin(web, tmp_path))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    page.wait_for_url(web.url("/admin"))
    page.get_by_role("textbox", name="Pubkey starts with").fill(user_pubkey[:16])
    page.get_by_role("button", name="Search").click()
    card = page.get_by_role("article", name=encode_npub(user_pubkey))
    role, status = card.get_by_role("definition").nth(0), card.get_by_role("definition").nth(1)
    expect(role).to_have_text("user")
    expect(status).to_have_text("active")
    card.get_by_role("combobox", name="Role").select_option("admin")
    card.get_by_role("button", name="Change role").click()
    expect(page.get_by_role("status")).to_have_text("The role is changed.")
    expect(role).to_have_text("admin")
    card.get_by_role("link", name="Names").click()
    page.get_by_role("button", name=f"Suspend {name}@{DOMAIN}").click()
    expect(page.get_by_role("status")).to_contain_text("The name is suspended")
    expect(page.get_by_role("region", name="Names")).to_contain_text(f"{name}@{DOMAIN} (suspended)")
    assert_accessible(page)
    assert fits_a_dark_phone(page)

    card.get_by_role("button", name="Suspend", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text("The account is suspended")
    expect(status).to_have_text("suspended")
    expect(card.get_by_role("button", name="Unsuspend")).to_be_visible()
    user_page.goto(web.url("/account"))
    user_page.wait_for_url(web.url("/signin"))
    page.get_by_role("textbox", name="Action").fill("user.suspended")
    page.get_by_role("button", name="Filter").click()
    entries = page.get_by_role("region", name="Audit entries, oldest first")
    expect(entries.get_by_role("row").filter(has_text=re.compile("user.suspended"))).not_to_have_count(0)
    expect(entries).to_contain_text(user_pubkey)
    assert_accessible(page)
    screenshots(page, "admin", shots)
    user_page.context.close()
