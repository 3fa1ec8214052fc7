"""The pages' sign-in and account routes over the real app: the sign-in limit (R2), one user's
names out of another's reach (K2), no bearer secret in a QR code (T3)."""

import re
from uuid import uuid4

import pytest

from tests.fixtures.auth import TEST_PUBLIC_URL
from tests.support.web import csrf_of, decode_lnurl, same_origin, sign_in_browser

pytestmark = pytest.mark.integration
SIGN_IN_LIMIT = 3


@pytest.fixture
def sign_in_limit() -> int:
    return 1_000_000


@pytest.fixture
def api_settings_env(api_settings_env: dict[str, str], sign_in_limit: int) -> dict[str, str]:
    # The anonymous limit is the sign-in limit here, so that both are reached in a few requests.
    limits = {"RATE_LIMIT_SIGN_IN": str(sign_in_limit), "RATE_LIMIT_ANONYMOUS": str(sign_in_limit)}
    return api_settings_env | {"ENVIRONMENT": "development"} | limits


limited = pytest.mark.parametrize("sign_in_limit", [SIGN_IN_LIMIT])


@limited
async def test_r2_the_sign_in_page_is_charged_under_the_sign_in_limit(api):
    statuses = [(await api.client.get("/signin")).status_code for _ in range(SIGN_IN_LIMIT + 1)]

    assert statuses == [200] * SIGN_IN_LIMIT + [429]


@limited
async def test_r2_the_pages_challenge_and_login_share_the_sign_in_limit(api):
    csrf = csrf_of((await api.client.get("/signin")).text)
    answers = [
        await api.client.post("/signin/challenge", headers=same_origin(csrf)) for _ in range(SIGN_IN_LIMIT)
    ]
    login = await api.client.post("/signin/nostr", json={"event": {}}, headers=same_origin(csrf))

    assert [answer.status_code for answer in answers] == [201] * (SIGN_IN_LIMIT - 1) + [429]
    assert login.status_code == 429
    assert "retry-after" in login.headers


@limited
async def test_r2_the_name_search_is_charged_as_an_anonymous_api_request_and_other_pages_are_not(api):
    statuses = [
        (await api.client.get("/check", params={"name": "x"})).status_code for _ in range(SIGN_IN_LIMIT)
    ]
    statuses += [(await api.client.get("/", params={"name": "x"})).status_code]
    others = {(await api.client.get("/assets/site.css")).status_code for _ in range(SIGN_IN_LIMIT * 2)}

    assert statuses == [200] * SIGN_IN_LIMIT + [429]
    assert others == {200}


async def test_k2_a_user_cannot_release_or_change_another_users_name(api):
    alice = await api.sign_in()
    name = (
        await api.client.post("/api/v1/nip05/", json={"name": f"k2-{uuid4().hex[:8]}"}, headers=alice.headers)
    ).json()
    csrf = await sign_in_browser(api)

    released = await api.client.post(
        f"/account/names/{name['id']}/release", data={"_csrf_token": csrf}, headers=same_origin()
    )
    changed = await api.client.post(
        f"/account/names/{name['id']}/relays",
        data={"_csrf_token": csrf, "relays": "wss://evil.example"},
        headers=same_origin(),
    )

    assert released.status_code == 404
    assert changed.status_code == 404
    mine = (await api.client.get("/api/v1/nip05/", headers=alice.headers)).json()["items"]
    assert [(item["id"], item["status"], item["relays"]) for item in mine] == [(name["id"], "active", [])]


async def test_t3_the_lnurl_qr_code_holds_the_lnurl_and_never_the_poll_secret(api):
    page = (await api.client.get("/signin")).text

    poll = re.search(r'data-poll="([^"]+)"', page)
    lightning = re.search(r'href="lightning:([^"]+)"', page)
    assert poll is not None and lightning is not None
    lnurl = lightning.group(1)
    assert lnurl == lnurl.upper() and lnurl.startswith("LNURL1")
    callback = decode_lnurl(lnurl)
    assert callback.startswith(f"{TEST_PUBLIC_URL}/api/v1/auth/lnurl/callback?tag=login&k1=")
    assert poll.group(1) not in callback
