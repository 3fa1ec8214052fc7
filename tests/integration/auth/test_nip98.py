"""NIP-98 over HTTP (N2-N4): an event signed for this very request, briefly, once."""

import base64
import hashlib
import json
from datetime import timedelta
from urllib.parse import urlsplit

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from adapters.http.app import create_app
from bootstrap.container import Container
from bootstrap.settings import load_settings
from domain.auth.users import UserRole
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event
from tests.fixtures.auth import TEST_PUBLIC_URL
from tests.support.tcp_proxy import free_port

pytestmark = pytest.mark.integration

ME = f"{TEST_PUBLIC_URL}/api/v1/me"


def nostr_header(secret: str, *, tags, created_at: int, kind: int = 27235) -> dict[str, str]:
    event = sign_event(secret, kind=kind, tags=tags, content="", created_at=created_at)
    encoded = base64.b64encode(msgspec.json.encode(event)).decode()
    return {"Authorization": f"Nostr {encoded}"}


def signed_for(api, secret: str, url: str, method: str = "GET", body: bytes | None = None, **changes):
    tags = [["u", url], ["method", method]]
    if body is not None:
        tags.append(["payload", hashlib.sha256(body).hexdigest()])
    tags = changes.pop("tags", tags)
    created_at = changes.pop("created_at", int(api.clock.now().timestamp()))
    return nostr_header(secret, tags=tags, created_at=created_at, **changes)


async def test_n2_a_signed_request_authenticates_and_makes_the_account_on_first_use(api):
    secret = generate_secret_key()

    first = await api.client.get("/api/v1/me", headers=signed_for(api, secret, ME))
    api.clock.advance(timedelta(seconds=1))  # the same request in the same second has the same id
    second = await api.client.get("/api/v1/me", headers=signed_for(api, secret, ME))

    assert first.status_code == 200
    assert first.json()["pubkey"] == public_key_of(secret)
    assert second.json()["id"] == first.json()["id"]


async def test_n2_nip98_reaches_the_account_made_by_sign_in(api):
    alice = await api.sign_in()

    response = await api.client.get("/api/v1/me", headers=signed_for(api, alice.secret_key, ME))

    assert response.json()["id"] == str(alice.user.id)


async def test_n2_the_wrong_kind_is_refused(api):
    response = await api.client.get(
        "/api/v1/me", headers=signed_for(api, generate_secret_key(), ME, kind=27236)
    )

    assert response.status_code == 401
    assert "kind" in response.json()["detail"]


@pytest.mark.parametrize("offset", [-60, 60])
async def test_n2_created_at_up_to_60_seconds_either_way_is_accepted(api, offset):
    now = int(api.clock.now().timestamp())
    headers = signed_for(api, generate_secret_key(), ME, created_at=now + offset)

    assert (await api.client.get("/api/v1/me", headers=headers)).status_code == 200


@pytest.mark.parametrize("offset", [-61, 61, 3600])
async def test_n2_created_at_more_than_60_seconds_either_way_is_refused(api, offset):
    now = int(api.clock.now().timestamp())
    headers = signed_for(api, generate_secret_key(), ME, created_at=now + offset)

    response = await api.client.get("/api/v1/me", headers=headers)

    assert response.status_code == 401
    assert "created_at" in response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        f"{TEST_PUBLIC_URL}/api/v1/me/",
        f"{TEST_PUBLIC_URL}/api/v1/auth/sessions",
        "https://testserver.local/api/v1/me",
        "http://evil.example/api/v1/me",
        "/api/v1/me",
        f"{TEST_PUBLIC_URL}/api/v1/me?extra=1",
    ],
)
async def test_n2_a_u_tag_that_is_not_this_exact_url_is_refused_without_echoing_it(api, url):
    response = await api.client.get("/api/v1/me", headers=signed_for(api, generate_secret_key(), url))

    assert response.status_code == 401
    detail = response.json()["detail"]
    assert "u tag does not match" in detail
    assert "testserver" not in detail and "evil" not in detail


async def test_n2_the_query_string_is_part_of_the_url(api):
    secret = generate_secret_key()
    with_query = f"{ME}?verbose=1&b=%2F"

    accepted = await api.client.get("/api/v1/me?verbose=1&b=%2F", headers=signed_for(api, secret, with_query))
    refused = await api.client.get("/api/v1/me?verbose=1&b=%2F", headers=signed_for(api, secret, ME))

    assert accepted.status_code == 200
    assert refused.status_code == 401


async def test_n2_forwarded_headers_never_change_the_url(api):
    secret = generate_secret_key()
    forwarded = {
        "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Proto": "https",
        "Forwarded": "host=evil.example",
    }

    spoofed = await api.client.get(
        "/api/v1/me", headers={**forwarded, **signed_for(api, secret, "https://evil.example/api/v1/me")}
    )
    honest = await api.client.get("/api/v1/me", headers={**forwarded, **signed_for(api, secret, ME)})

    assert spoofed.status_code == 401
    assert honest.status_code == 200


async def test_n2_the_wrong_method_is_refused(api):
    secret = generate_secret_key()
    logout = f"{TEST_PUBLIC_URL}/api/v1/auth/logout"

    wrong = await api.client.post(
        "/api/v1/auth/logout", headers=signed_for(api, secret, logout, method="GET")
    )
    right = await api.client.post(
        "/api/v1/auth/logout", headers=signed_for(api, secret, logout, method="POST")
    )

    assert wrong.status_code == 401
    assert "method" in wrong.json()["detail"]
    assert right.status_code == 204


@pytest.mark.parametrize(
    ("tags", "reason"),
    [
        ([["u"], ["method", "GET"]], "u tag has no value"),
        ([["u", ""], ["method", "GET"]], "u tag has no value"),
        ([["method", "GET"]], "u tag is missing"),
        ([["u", ME], ["u", ME], ["method", "GET"]], "u tag appears more than once"),
        ([["u", ME], ["u", "http://evil.example/"], ["method", "GET"]], "u tag appears more than once"),
        ([["u", ME], ["method"]], "method tag has no value"),
        ([["u", ME]], "method tag is missing"),
        ([["u", ME], ["method", "GET"], ["method", "POST"]], "method tag appears more than once"),
    ],
)
async def test_n2_bare_missing_or_duplicated_tags_are_refused(api, tags, reason):
    response = await api.client.get(
        "/api/v1/me", headers=signed_for(api, generate_secret_key(), ME, tags=tags)
    )

    assert response.status_code == 401
    assert reason in response.json()["detail"]


async def test_n1_a_forged_signature_is_refused(api):
    headers = signed_for(api, generate_secret_key(), ME)
    event = json.loads(base64.b64decode(headers["Authorization"].split()[1]))
    event["pubkey"] = public_key_of(generate_secret_key())
    forged = {"Authorization": "Nostr " + base64.b64encode(json.dumps(event).encode()).decode()}

    response = await api.client.get("/api/v1/me", headers=forged)

    assert response.status_code == 401
    assert "signature" in response.json()["detail"]


@pytest.mark.parametrize("value", ["Nostr !!!", "Nostr " + base64.b64encode(b"[1,2]").decode(), "Nostr"])
async def test_an_authorization_that_is_not_an_event_is_refused(api, value):
    response = await api.client.get("/api/v1/me", headers={"Authorization": value})

    assert response.status_code == 401


async def _role_request(api, admin, target_id, body: bytes, headers: dict[str, str]):
    return await api.client.post(
        f"/api/v1/admin/users/{target_id}/role",
        content=body,
        headers={"Content-Type": "application/json", **headers},
    )


async def test_n3_with_a_body_the_payload_must_be_the_sha256_of_the_raw_body(api):
    admin = await api.sign_in(role=UserRole.ADMIN)
    alice = await api.sign_in()
    url = f"{TEST_PUBLIC_URL}/api/v1/admin/users/{alice.user.id}/role"
    body = b'{"role": "admin"}'
    other = b'{"role":"admin"}'

    without = await _role_request(
        api, admin, alice.user.id, body, signed_for(api, admin.secret_key, url, "POST")
    )
    wrong = await _role_request(
        api, admin, alice.user.id, other, signed_for(api, admin.secret_key, url, "POST", body=body)
    )
    right = await _role_request(
        api, admin, alice.user.id, body, signed_for(api, admin.secret_key, url, "POST", body=body)
    )

    assert without.status_code == 401
    assert "needs a payload tag" in without.json()["detail"]
    assert wrong.status_code == 401
    assert "payload tag does not match" in wrong.json()["detail"]
    assert right.status_code == 200
    assert right.json()["role"] == "admin"


async def test_n3_a_payload_tag_without_a_body_must_match_the_empty_body(api):
    secret = generate_secret_key()

    empty = await api.client.get("/api/v1/me", headers=signed_for(api, secret, ME, body=b""))
    other = await api.client.get("/api/v1/me", headers=signed_for(api, secret, ME, body=b"x"))

    assert empty.status_code == 200
    assert other.status_code == 401


@pytest.mark.parametrize("api_cache", ["memory", "redis"], indirect=True)
async def test_n4_a_replay_inside_the_window_is_refused(api):
    headers = signed_for(api, generate_secret_key(), ME)

    first = await api.client.get("/api/v1/me", headers=headers)
    replay = await api.client.get("/api/v1/me", headers=headers)

    assert first.status_code == 200
    assert replay.status_code == 401
    assert "already used" in replay.json()["detail"]


async def test_n4_a_replay_refused_by_age_after_the_replay_store_forgot_it(api):
    headers = signed_for(api, generate_secret_key(), ME)
    assert (await api.client.get("/api/v1/me", headers=headers)).status_code == 200

    api.clock.advance(timedelta(seconds=121))  # the memory cache runs on the same frozen clock
    response = await api.client.get("/api/v1/me", headers=headers)

    assert response.status_code == 401
    assert "created_at" in response.json()["detail"]


async def test_n4_when_the_replay_store_is_down_nip98_fails_closed_with_503(api_settings_env):
    env = {**api_settings_env, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}
    container = Container(settings=load_settings(env))
    async with AsyncTestClient(create_app(container), base_url=TEST_PUBLIC_URL) as client:
        now = int(container.clock().now().timestamp())
        headers = nostr_header(generate_secret_key(), tags=[["u", ME], ["method", "GET"]], created_at=now)

        response = await client.get("/api/v1/me", headers=headers)

    assert response.status_code == 503
    assert "retry-after" in response.headers
    assert urlsplit(TEST_PUBLIC_URL).hostname not in response.text


async def test_t5_n4_an_event_dated_60_seconds_ahead_is_refused_when_replayed_61_seconds_later(api):
    # Still inside its window at +61 s (it is dated +60 s): only the replay store can refuse it.
    now = int(api.clock.now().timestamp())
    headers = signed_for(api, generate_secret_key(), ME, created_at=now + 60)
    assert (await api.client.get("/api/v1/me", headers=headers)).status_code == 200

    api.clock.advance(timedelta(seconds=61))  # the memory cache runs on the same frozen clock
    replay = await api.client.get("/api/v1/me", headers=headers)

    assert replay.status_code == 401
    assert "already used" in replay.json()["detail"]
