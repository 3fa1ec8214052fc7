"""Nostr sign-in over HTTP: challenges (N5), the signed answer, accounts, sessions and the audit."""

import asyncio
from datetime import timedelta
from uuid import UUID

import msgspec
import nostr_sdk
import pytest

from application.auth.sessions import SignedIn
from application.auth.sign_in import SignInRequest
from domain.audit.entries import AuditLogQuery
from domain.auth.sign_in import SignInRefused
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event
from tests.fixtures.auth import TEST_PUBLIC_URL
from tests.support.randomness import assert_random_bits

pytestmark = pytest.mark.integration


async def _challenge(api) -> str:
    response = await api.client.post("/api/v1/auth/challenge")
    assert response.status_code == 201
    return response.json()["challenge"]


def _event_json(event) -> dict:
    return msgspec.to_builtins(event)


async def _login(api, event):
    return await api.client.post("/api/v1/auth/login", json={"event": _event_json(event)})


def _answer(api, secret: str, challenge: str, *, kind: int = 22242, tags=None, created_at=None):
    return sign_event(
        secret,
        kind=kind,
        tags=tags if tags is not None else [["relay", TEST_PUBLIC_URL], ["challenge", challenge]],
        content="",
        created_at=int(api.clock.now().timestamp()) if created_at is None else created_at,
    )


async def test_n5_a_challenge_has_at_least_128_random_bits_and_expires_in_five_minutes(api):
    responses = [await api.client.post("/api/v1/auth/challenge") for _ in range(200)]

    challenges = [response.json()["challenge"] for response in responses]
    assert_random_bits(challenges, 128)
    expires_at = responses[0].json()["expires_at"]
    assert expires_at.startswith((api.clock.now() + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S"))


async def test_login_signs_in_and_returns_the_api_md_shape(api):
    secret = generate_secret_key()
    challenge = await _challenge(api)

    response = await _login(api, _answer(api, secret, challenge))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token", "user"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert body["user"]["pubkey"] == public_key_of(secret)
    me = await api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["id"] == body["user"]["id"]


async def test_n5_a_challenge_is_single_use(api):
    secret = generate_secret_key()
    challenge = await _challenge(api)
    assert (await _login(api, _answer(api, secret, challenge))).status_code == 200

    again = await _login(api, _answer(api, secret, challenge))

    assert again.status_code == 401
    assert "already used" in again.json()["detail"]


async def test_n5_a_challenge_expires_after_five_minutes(api):
    secret = generate_secret_key()
    early, late = await _challenge(api), await _challenge(api)

    api.clock.advance(timedelta(minutes=5) - timedelta(seconds=1))
    assert (await _login(api, _answer(api, secret, early))).status_code == 200
    api.clock.advance(timedelta(seconds=1))
    refused = await _login(api, _answer(api, secret, late))

    assert refused.status_code == 401
    assert "expired" in refused.json()["detail"]


async def test_n5_an_unknown_challenge_is_refused(api):
    response = await _login(api, _answer(api, generate_secret_key(), "ab" * 32))

    assert response.status_code == 401


async def _concurrently(api, events) -> list[object]:
    """Runs the login use case for every event at once on the app's loop (the test client sends
    one request at a time), returning each result or the error it raised."""
    login = api.container.auth.login

    async def all_at_once():
        return await asyncio.gather(
            *(login()(SignInRequest(event=event)) for event in events), return_exceptions=True
        )

    return await api.run(all_at_once)


async def test_n5_of_concurrent_logins_with_one_challenge_exactly_one_wins(api):
    challenge = await _challenge(api)
    events = [_answer(api, generate_secret_key(), challenge) for _ in range(12)]

    results = await _concurrently(api, events)

    signed_in = [result for result in results if isinstance(result, SignedIn)]
    refused = [result for result in results if isinstance(result, SignInRefused)]
    assert (len(signed_in), len(refused)) == (1, 11)


async def test_signing_in_again_finds_the_same_account(api):
    secret = generate_secret_key()
    first = await _login(api, _answer(api, secret, await _challenge(api)))
    second = await _login(api, _answer(api, secret, await _challenge(api)))

    assert first.json()["user"]["id"] == second.json()["user"]["id"]
    assert first.json()["refresh_token"] != second.json()["refresh_token"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"kind": 22243}, "kind"),
        ({"tags": [["challenge", "{c}"]]}, "relay tag is missing"),
        ({"tags": [["relay", TEST_PUBLIC_URL]]}, "challenge tag is missing"),
        ({"tags": [["relay", "https://elsewhere.example"], ["challenge", "{c}"]]}, "public URL"),
        (
            {"tags": [["relay", TEST_PUBLIC_URL], ["challenge", "{c}"], ["challenge", "{c}"]]},
            "more than once",
        ),
        ({"tags": [["relay", TEST_PUBLIC_URL], ["challenge"]]}, "no value"),
    ],
)
async def test_login_refuses_a_wrong_answer_and_says_why(api, change, reason):
    challenge = await _challenge(api)
    tags = change.get("tags")
    if tags is not None:
        tags = [[part.replace("{c}", challenge) for part in tag] for tag in tags]
    event = _answer(api, generate_secret_key(), challenge, kind=change.get("kind", 22242), tags=tags)

    response = await _login(api, event)

    assert response.status_code == 401
    assert reason in response.json()["detail"]
    # The challenge was not consumed by the refused answer.
    assert (await _login(api, _answer(api, generate_secret_key(), challenge))).status_code == 200


@pytest.mark.parametrize("seconds", [-601, 601])
async def test_login_refuses_created_at_more_than_ten_minutes_off(api, seconds):
    now = int(api.clock.now().timestamp())
    challenge = await _challenge(api)
    at_edge = _answer(api, generate_secret_key(), challenge, created_at=now + (600 if seconds > 0 else -600))
    past_edge = _answer(api, generate_secret_key(), challenge, created_at=now + seconds)

    refused = await _login(api, past_edge)
    assert refused.status_code == 401
    assert "created_at" in refused.json()["detail"]
    assert (await _login(api, at_edge)).status_code == 200


async def test_n1_login_refuses_a_forged_id_or_signature(api):
    challenge = await _challenge(api)
    event = _answer(api, generate_secret_key(), challenge)
    forged_sig = msgspec.structs.replace(
        event, sig=event.sig[:-2] + ("00" if event.sig[-2:] != "00" else "11")
    )
    other = _answer(api, generate_secret_key(), challenge)
    stolen_sig = msgspec.structs.replace(event, pubkey=other.pubkey)

    for forged in (forged_sig, stolen_sig):
        response = await _login(api, forged)
        assert response.status_code == 401
        assert "signature" in response.json()["detail"]


async def test_login_with_an_event_built_by_nostr_sdk(api):
    keys = nostr_sdk.Keys.generate()
    challenge = await _challenge(api)
    builder = nostr_sdk.EventBuilder(nostr_sdk.Kind(22242), "").tags(
        [nostr_sdk.Tag.parse(["relay", TEST_PUBLIC_URL]), nostr_sdk.Tag.parse(["challenge", challenge])]
    )
    builder = builder.custom_created_at(nostr_sdk.Timestamp.from_secs(int(api.clock.now().timestamp())))
    event = keys.sign_event(builder.finalize_unsigned(keys.public_key()))

    response = await api.client.post(
        "/api/v1/auth/login",
        content=b'{"event": ' + event.as_json().encode() + b"}",
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 200
    assert response.json()["user"]["pubkey"] == keys.public_key().to_hex()


async def test_login_bodies_that_are_not_a_signed_event_are_client_errors(api):
    bad_json = await api.client.post(
        "/api/v1/auth/login", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    no_event = await api.client.post("/api/v1/auth/login", json={"something": 1})

    assert bad_json.status_code == 400
    assert no_event.status_code == 422
    for response in (bad_json, no_event):
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_a1_sign_in_is_audited_with_who_where_and_when_and_no_secret(api):
    secret = generate_secret_key()
    response = await api.client.post(
        "/api/v1/auth/login",
        json={"event": _event_json(_answer(api, secret, await _challenge(api)))},
        headers={"User-Agent": "audit-test/1"},
    )
    body = response.json()

    entries = await api.run(lambda: audit_of(api, UUID(body["user"]["id"])))
    assert sorted(entry.action for entry in entries) == ["auth.sign_in", "user.registered"]
    sign_in = next(entry for entry in entries if entry.action == "auth.sign_in")
    assert sign_in.actor_pubkey == public_key_of(secret)
    assert sign_in.ip is None  # the test client's peer is "testclient"; the e2e test sees 127.0.0.1
    assert sign_in.user_agent == "audit-test/1"
    assert sign_in.occurred_at == api.clock.now()
    assert sign_in.target_type == "session"
    stored = msgspec.json.encode(entries).decode()
    for secret_value in (body["access_token"], body["refresh_token"], secret):
        assert secret_value not in stored


async def audit_of(api, user_id: UUID):
    async with api.container.unit_of_work() as uow:
        return await uow.audit_log.search(AuditLogQuery(actor_user_id=user_id))


async def test_concurrent_first_sign_ins_of_one_pubkey_make_one_account(api):
    secret = generate_secret_key()
    challenges = [await _challenge(api) for _ in range(4)]

    results = await _concurrently(api, [_answer(api, secret, c) for c in challenges])

    assert all(isinstance(result, SignedIn) for result in results), results
    assert len({result.user.id for result in results}) == 1
