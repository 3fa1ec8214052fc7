"""The web pages' foundation over the real app: security headers, CSRF, the browser session cookie
and the signed-in page guard."""

from datetime import timedelta

import msgspec
import pytest

from domain.nostr.signing import generate_secret_key
from tests.fixtures.auth import TEST_PUBLIC_URL
from tests.support.web import csrf_of, sign_in_browser

pytestmark = pytest.mark.integration

PAGES = ["/", "/signin", "/?name=alice"]


@pytest.fixture
def environment() -> str:
    """Development by default, so the test client (plain http) sends the Secure-less cookies back;
    a browser sends Secure cookies to 127.0.0.1 as well."""
    return "development"


@pytest.fixture
def api_settings_env(api_settings_env: dict[str, str], environment: str) -> dict[str, str]:
    return api_settings_env | {"ENVIRONMENT": environment}


@pytest.mark.parametrize("path", PAGES)
async def test_every_page_carries_the_security_headers(api, path):
    response = await api.client.get(path)

    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy and "*" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert '<html lang="en">' in response.text
    assert '<meta name="viewport"' in response.text


async def test_the_api_answers_without_the_pages_headers(api):
    response = await api.client.get("/api/v1/nip05/availability", params={"name": "alice"})

    assert response.status_code == 200
    assert "content-security-policy" not in response.headers


async def test_a_state_changing_request_without_the_csrf_token_is_refused(api):
    await api.client.get("/")

    response = await api.client.post("/signout", headers={"origin": TEST_PUBLIC_URL})

    assert response.status_code == 403
    assert response.headers["content-security-policy"].startswith("default-src 'self'")


async def test_a_form_posted_from_another_origin_is_refused_even_with_the_token(api):
    csrf = csrf_of((await api.client.get("/")).text)

    response = await api.client.post(
        "/signout", data={"_csrf_token": csrf}, headers={"origin": "https://evil.example"}
    )

    assert response.status_code == 403


async def test_a_cross_site_fetch_without_origin_is_refused(api):
    csrf = csrf_of((await api.client.get("/")).text)

    response = await api.client.post(
        "/signout", data={"_csrf_token": csrf}, headers={"sec-fetch-site": "cross-site"}
    )

    assert response.status_code == 403


async def test_a_signed_in_page_sends_a_stranger_to_sign_in(api):
    response = await api.client.get("/account", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/signin"


async def test_sign_in_sets_http_only_lax_session_cookies_and_opens_the_account(api):
    await sign_in_browser(api)

    response = await api.client.get("/account")

    assert response.status_code == 200
    assert "npub1" in response.text
    assert ">Sign out</button>" in response.text


@pytest.mark.parametrize(("environment", "secure"), [("test", True), ("development", False)])
async def test_the_session_cookies_are_http_only_same_site_lax_and_secure_outside_development(api, secure):
    page = await api.client.get("/signin")
    csrf = csrf_of(page.text)
    # The client keeps a Secure cookie for https only: the CSRF cookie goes back by hand.
    headers = {"x-csrf-token": csrf, "origin": TEST_PUBLIC_URL, "cookie": f"nid_csrf={csrf}"}
    challenge = (await api.client.post("/signin/challenge", headers=headers)).json()
    event = api.sign_in_event(generate_secret_key(), challenge["challenge"])

    response = await api.client.post(
        "/signin/nostr", json={"event": msgspec.to_builtins(event)}, headers=headers
    )

    cookies = {value.split("=", 1)[0]: value for value in response.headers.get_list("set-cookie")}
    for name in ("nid_session", "nid_refresh"):
        attributes = [part.strip().lower() for part in cookies[name].split(";")]
        assert "httponly" in attributes
        assert "samesite=lax" in attributes
        assert ("secure" in attributes) is secure


async def test_sign_out_ends_the_session_and_clears_the_cookies(api):
    csrf = await sign_in_browser(api)

    response = await api.client.post(
        "/signout", data={"_csrf_token": csrf}, headers={"origin": TEST_PUBLIC_URL}, follow_redirects=False
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert (await api.client.get("/account", follow_redirects=False)).status_code == 303


async def test_an_expired_access_token_is_renewed_once_with_the_refresh_token(api):
    await sign_in_browser(api)
    first = api.client.cookies.get("nid_refresh")
    api.clock.advance(timedelta(minutes=16))

    response = await api.client.get("/account")

    assert response.status_code == 200
    renewed = {value.split("=", 1)[0] for value in response.headers.get_list("set-cookie")}
    assert {"nid_session", "nid_refresh"} <= renewed
    assert api.client.cookies.get("nid_refresh") != first
    assert (await api.client.get("/account")).headers.get_list("set-cookie") == []


async def test_a_session_whose_refresh_token_is_gone_sends_the_browser_to_sign_in(api):
    await sign_in_browser(api)
    api.client.cookies.delete("nid_refresh")
    api.clock.advance(timedelta(minutes=16))

    response = await api.client.get("/account", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/signin"


async def test_the_sign_in_page_sends_a_signed_in_browser_to_its_account(api):
    await sign_in_browser(api)

    response = await api.client.get("/signin", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/account"


async def test_what_a_person_typed_comes_back_escaped(api):
    response = await api.client.get("/", params={"name": '"><script>alert(1)</script>'})

    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;alert(1)" in response.text


@pytest.mark.parametrize("path", ["/account", "/account/domains", "/assets/site.css", "/no-such-page"])
async def test_signed_in_pages_assets_and_errors_carry_the_security_headers_too(api, path):
    await sign_in_browser(api)

    response = await api.client.get(path)

    assert "script-src 'self';" in response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


async def test_the_live_name_check_never_renews_the_session(api):
    await sign_in_browser(api)
    api.clock.advance(timedelta(minutes=16))

    check = await api.client.get("/check", params={"name": "someone"})
    page = await api.client.get("/account")

    assert check.status_code == 200
    assert check.headers.get_list("set-cookie") == []
    assert page.status_code == 200
    assert "nid_refresh" in {value.split("=", 1)[0] for value in page.headers.get_list("set-cookie")}
