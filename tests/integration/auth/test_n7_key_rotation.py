"""N7: an account's pubkey changes only with the new key's signature and the old key's consent (or a
linked wallet after a waiting period the old key can cancel); old sessions end. Over HTTP against
the real app, PostgreSQL and (for the served names) Redis."""

import asyncio
import base64
import hashlib
import secrets
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import msgspec
import pytest
from coincurve import PrivateKey
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from adapters.cache.redis_cache import RedisCache
from adapters.http.app import create_app
from bootstrap.container import Container
from bootstrap.settings import load_settings
from domain.audit.entries import AuditLogQuery
from domain.nostr.event import Filter
from domain.nostr.nip19 import encode_npub
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event
from tests.fixtures.auth import TEST_PUBLIC_URL
from tests.support.direct_messages import unwrap

pytestmark = pytest.mark.integration

ROTATION = "/api/v1/me/key-rotation"
RECOVERY = "/api/v1/me/key-rotation/recovery"


def _event(api, secret_key: str, challenge: str, *extra_tags: list[str]) -> dict[str, object]:
    event = sign_event(
        secret_key,
        kind=22242,
        tags=[["relay", TEST_PUBLIC_URL], ["challenge", challenge], *extra_tags],
        content="",
        created_at=int(api.clock.now().timestamp()),
    )
    return msgspec.to_builtins(event)


async def _challenge(api) -> str:
    response = await api.client.post("/api/v1/auth/challenge")
    assert response.status_code == 201, response.text
    return str(response.json()["challenge"])


async def _consent(api, old_secret: str, new_secret: str, challenge: str | None = None) -> dict[str, object]:
    challenge = challenge or await _challenge(api)
    new_pubkey = public_key_of(new_secret)
    return {
        "new_key_event": _event(api, new_secret, challenge),
        "old_key_event": _event(api, old_secret, challenge, ["p", new_pubkey]),
    }


async def _register(api, user, name: str) -> None:
    response = await api.client.post("/api/v1/nip05", json={"name": name}, headers=user.headers)
    assert response.status_code == 201, response.text


async def _nostr_json(client: AsyncTestClient, name: str) -> dict[str, object]:
    response = await client.get(
        "/.well-known/nostr.json", params={"name": name}, headers={"host": "testserver.local"}
    )
    assert response.status_code == 200, response.text
    return response.json()


async def _audit(api, action: str):
    async def read():
        async with api.container.unit_of_work() as uow:
            return await uow.audit_log.search(
                AuditLogQuery(action=action, since=api.clock.now() - timedelta(days=30), limit=1000)
            )

    return await api.run(read)


async def test_n7_the_account_moves_to_the_new_key_with_the_old_keys_consent_and_keeps_what_it_owns(api):
    alice = await api.sign_in()
    name = f"n7-{secrets.token_hex(4)}"
    await _register(api, alice, name)
    issued = await api.client.post(
        "/api/v1/api-keys", json={"name": "bot", "scopes": ["wot:read"]}, headers=alice.headers
    )
    assert issued.status_code == 201, issued.text
    new_secret = generate_secret_key()
    new_pubkey = public_key_of(new_secret)

    rotated = await api.client.post(
        ROTATION, json=await _consent(api, alice.secret_key, new_secret), headers=alice.headers
    )

    assert rotated.status_code == 200, rotated.text
    assert rotated.json() == {"id": str(alice.user.id), "pubkey": new_pubkey, "npub": encode_npub(new_pubkey)}
    # Every session of the old key ended: its access token and its refresh token are refused.
    assert (await api.client.get("/api/v1/me", headers=alice.headers)).status_code == 401
    refreshed = await api.client.post("/api/v1/auth/refresh", json={"refresh_token": alice.refresh_token})
    assert refreshed.status_code == 401
    # The new key signs in to the same account, which kept its names and API keys.
    again = await api.sign_in(secret_key=new_secret)
    assert again.user.id == alice.user.id
    me = (await api.client.get("/api/v1/me", headers=again.headers)).json()
    assert me["pubkey"] == new_pubkey
    assert [n["name"] for n in me["nip05"]] == [name]
    assert me["nip05"][0]["pubkey"] == new_pubkey
    keys = (await api.client.get("/api/v1/api-keys", headers=again.headers)).json()["items"]
    assert [k["id"] for k in keys] == [issued.json()["id"]]
    assert (
        await api.client.get(f"/api/v1/wot/{new_pubkey}", headers={"X-API-Key": issued.json()["key"]})
    ).status_code != 401
    # nostr.json answers the new key.
    assert (await _nostr_json(api.client, name))["names"] == {name: new_pubkey}
    # The old key is a stranger now: signing in with it makes a new, empty account.
    stranger = await api.sign_in(secret_key=alice.secret_key)
    assert stranger.user.id != alice.user.id
    entries = await _audit(api, "user.key_rotated")
    mine = [e for e in entries if e.target_id == str(alice.user.id)]
    assert len(mine) == 1
    assert mine[0].details["old_pubkey"] == alice.pubkey and mine[0].details["new_pubkey"] == new_pubkey
    assert mine[0].details["via"] == "consent" and mine[0].details["revoked"] >= 1


async def test_n7_without_the_old_keys_consent_nothing_changes(api):
    alice = await api.sign_in()
    new_secret = generate_secret_key()
    challenge = await _challenge(api)
    new_event = _event(api, new_secret, challenge)
    cases = {
        "no p tag": _event(api, alice.secret_key, challenge),
        "signed by another key": _event(
            api, generate_secret_key(), challenge, ["p", public_key_of(new_secret)]
        ),
        "p tag names another key": _event(
            api, alice.secret_key, challenge, ["p", public_key_of(generate_secret_key())]
        ),
        "two p tags": _event(
            api,
            alice.secret_key,
            challenge,
            ["p", public_key_of(new_secret)],
            ["p", public_key_of(new_secret)],
        ),
    }
    for case, old_event in cases.items():
        response = await api.client.post(
            ROTATION, json={"new_key_event": new_event, "old_key_event": old_event}, headers=alice.headers
        )
        assert response.status_code == 403, case
        assert response.headers["content-type"].startswith("application/problem+json")
    missing = await api.client.post(ROTATION, json={"new_key_event": new_event}, headers=alice.headers)
    assert missing.status_code == 422
    # The challenge was not used up by the refusals, and the account is still on its key.
    assert (await api.client.get("/api/v1/me", headers=alice.headers)).json()["pubkey"] == alice.pubkey
    body = {
        "new_key_event": new_event,
        "old_key_event": _event(api, alice.secret_key, challenge, ["p", public_key_of(new_secret)]),
    }
    assert (await api.client.post(ROTATION, json=body, headers=alice.headers)).status_code == 200


async def test_n7_a_wrong_or_replayed_challenge_is_refused(api):
    alice = await api.sign_in()
    new_secret = generate_secret_key()
    unknown = secrets.token_hex(32)
    refused = await api.client.post(
        ROTATION, json=await _consent(api, alice.secret_key, new_secret, unknown), headers=alice.headers
    )
    assert refused.status_code == 403
    assert "challenge" in refused.json()["detail"]
    mixed = await _consent(api, alice.secret_key, new_secret)
    mixed["new_key_event"] = _event(api, new_secret, await _challenge(api))
    assert (await api.client.post(ROTATION, json=mixed, headers=alice.headers)).status_code == 403
    # A challenge is good for one change only: used once, it is refused the second time.
    challenge = await _challenge(api)
    first = await api.client.post(
        ROTATION, json=await _consent(api, alice.secret_key, new_secret, challenge), headers=alice.headers
    )
    assert first.status_code == 200
    moved = await api.sign_in(secret_key=new_secret)
    third_secret = generate_secret_key()
    replayed = await api.client.post(
        ROTATION, json=await _consent(api, new_secret, third_secret, challenge), headers=moved.headers
    )
    assert replayed.status_code == 403
    assert (await api.client.get("/api/v1/me", headers=moved.headers)).json()["pubkey"] == public_key_of(
        new_secret
    )
    # A challenge a sign-in used is refused too.
    used = await _challenge(api)
    login = await api.client.post(
        "/api/v1/auth/login", json={"event": _event(api, generate_secret_key(), used)}
    )
    assert login.status_code == 200
    reused = await api.client.post(
        ROTATION, json=await _consent(api, new_secret, third_secret, used), headers=moved.headers
    )
    assert reused.status_code == 403


async def test_n7_a_key_that_is_another_accounts_is_refused_with_409(api):
    alice = await api.sign_in()
    bob = await api.sign_in()
    response = await api.client.post(
        ROTATION, json=await _consent(api, alice.secret_key, bob.secret_key), headers=alice.headers
    )
    assert response.status_code == 409
    assert (await api.client.get("/api/v1/me", headers=alice.headers)).json()["pubkey"] == alice.pubkey


class Wallet:
    """An LNURL-auth wallet: a compressed secp256k1 key signing k1 (LUD-04)."""

    def __init__(self) -> None:
        self.key = PrivateKey(secrets.token_bytes(32))
        self.linking_key = self.key.public_key.format(compressed=True).hex()

    def answer(self, callback_url: str) -> dict[str, str]:
        query = {name: values[0] for name, values in parse_qs(urlsplit(callback_url).query).items()}
        sig = self.key.sign(bytes.fromhex(query["k1"]), hasher=None)
        return {**query, "sig": sig.hex(), "key": self.linking_key}


async def _lnurl(api, action: str, headers: dict[str, str] | None = None) -> dict[str, str]:
    started = await api.client.post("/api/v1/auth/lnurl", json={"action": action}, headers=headers or {})
    assert started.status_code == 201, started.text
    return started.json()


def _nip98(api, user, url: str, method: str, body: bytes | None) -> dict[str, str]:
    tags = [["u", url], ["method", method]]
    if body is not None:
        tags.append(["payload", hashlib.sha256(body).hexdigest()])
    event = sign_event(
        user.secret_key, kind=27235, tags=tags, content="", created_at=int(api.clock.now().timestamp())
    )
    return {"Authorization": "Nostr " + base64.b64encode(msgspec.json.encode(event)).decode()}


async def _wallet_session(api, user) -> tuple[dict[str, str], str]:
    """Links a wallet to the user's account (NIP-98, as linking needs), then signs in with it."""
    wallet = Wallet()
    body = msgspec.json.encode({"action": "link"})
    headers = {
        "Content-Type": "application/json",
        **_nip98(api, user, f"{TEST_PUBLIC_URL}/api/v1/auth/lnurl", "POST", body),
    }
    started = await api.client.post("/api/v1/auth/lnurl", content=body, headers=headers)
    assert started.status_code == 201, started.text
    linked = await api.client.get(
        "/api/v1/auth/lnurl/callback", params=wallet.answer(started.json()["callback_url"])
    )
    assert linked.json() == {"status": "OK"}
    api.clock.advance(timedelta(seconds=1))
    login = await _lnurl(api, "login")
    assert (
        await api.client.get("/api/v1/auth/lnurl/callback", params=wallet.answer(login["callback_url"]))
    ).json() == {"status": "OK"}
    polled = (await api.client.get(f"/api/v1/auth/lnurl/{login['poll']}")).json()
    assert polled["status"] == "ok"
    tokens = polled["tokens"]
    return {"Authorization": f"Bearer {tokens['access_token']}"}, tokens["refresh_token"]


async def _direct_messages(api, user) -> list[str]:
    """What the user's key was told by the service (gift wraps on the memory relay, opened)."""
    relay = api.container.relay()
    wraps = await api.run(lambda: relay.query([Filter(kinds=(1059,), tags={"p": (user.pubkey,)})]))
    return [unwrap(wrap, user.secret_key)[1].content for wrap in wraps]


async def _run_recoveries(api) -> int:
    return await api.run(lambda: api.container.key_rotation.complete_key_recoveries()())


async def test_n7_a_linked_wallet_recovers_the_account_after_seven_days_unless_the_old_key_cancels(api):
    alice = await api.sign_in()
    name = f"n7r-{secrets.token_hex(4)}"
    await _register(api, alice, name)
    owner_id = alice.user.id
    wallet_headers, _ = await _wallet_session(api, alice)
    new_secret = generate_secret_key()
    new_pubkey = public_key_of(new_secret)

    # A session the Nostr key opened cannot ask; the wallet's session can.
    body = {"new_key_event": _event(api, new_secret, await _challenge(api))}
    assert (await api.client.post(RECOVERY, json=body, headers=alice.headers)).status_code == 403
    asked = await api.client.post(RECOVERY, json=body, headers=wallet_headers)
    assert asked.status_code == 202, asked.text
    assert asked.json()["effective_at"] == (api.clock.now() + timedelta(days=7)).isoformat().replace(
        "+00:00", "Z"
    )
    # One at a time; and the wallet cannot cancel (only the old key can).
    again = {"new_key_event": _event(api, new_secret, await _challenge(api))}
    assert (await api.client.post(RECOVERY, json=again, headers=wallet_headers)).status_code == 409
    assert (await api.client.delete(RECOVERY, headers=wallet_headers)).status_code == 403

    # The job tells the old key, once, by direct message.
    assert await _run_recoveries(api) == 0
    assert await _run_recoveries(api) == 0
    [notice] = await _direct_messages(api, alice)
    assert encode_npub(new_pubkey) in notice and "key-rotation/recovery" in notice

    # Before the waiting period is over nothing moves (access tokens last 15 minutes: the old key
    # signs in again to look).
    api.clock.advance(timedelta(days=7) - timedelta(seconds=2))
    assert await _run_recoveries(api) == 0
    alice = await api.sign_in(secret_key=alice.secret_key)
    assert alice.user.id == owner_id

    # The old key cancels: once the period is over the job moves nothing.
    assert (await api.client.delete(RECOVERY, headers=alice.headers)).status_code == 204
    assert (await api.client.delete(RECOVERY, headers=alice.headers)).status_code == 404
    api.clock.advance(timedelta(days=1))
    assert await _run_recoveries(api) == 0
    alice = await api.sign_in(secret_key=alice.secret_key)
    assert alice.user.id == owner_id

    # Asked again and left alone for seven days, it completes; every session of the account ends.
    wallet_headers, wallet_refresh = await _wallet_session(api, alice)
    body = {"new_key_event": _event(api, new_secret, await _challenge(api))}
    assert (await api.client.post(RECOVERY, json=body, headers=wallet_headers)).status_code == 202
    api.clock.advance(timedelta(days=7))
    assert await _run_recoveries(api) == 1
    assert await _run_recoveries(api) == 0
    for refresh_token in (alice.refresh_token, wallet_refresh):
        refreshed = await api.client.post("/api/v1/auth/refresh", json={"refresh_token": refresh_token})
        assert refreshed.status_code == 401
    moved = await api.sign_in(secret_key=new_secret)
    assert moved.user.id == owner_id
    assert (await _nostr_json(api.client, name))["names"] == {name: new_pubkey}
    entries = [e for e in await _audit(api, "user.key_rotated") if e.target_id == str(alice.user.id)]
    assert [e.details["via"] for e in entries] == ["recovery"]
    assert [e.target_id for e in await _audit(api, "user.key_recovery_canceled")].count(
        str(alice.user.id)
    ) == 1


@pytest.mark.parametrize("api_cache", ["redis"], indirect=True)
async def test_n7_nostr_json_answers_the_new_key_in_every_process(
    api, api_settings_env, redis_url, redis_namespace
):
    alice = await api.sign_in()
    name = f"n7j-{secrets.token_hex(4)}"
    await _register(api, alice, name)
    # Another process: its own container (its own in-process answers), the same Redis and database.
    other = Container(settings=load_settings(api_settings_env))
    other.cache.override(providers.Singleton(RedisCache.from_url, redis_url, namespace=redis_namespace))
    async with AsyncTestClient(create_app(other), base_url=TEST_PUBLIC_URL) as other_client:
        assert (await _nostr_json(other_client, name))["names"] == {name: alice.pubkey}
        assert (await _nostr_json(other_client, name))["names"] == {name: alice.pubkey}
        new_secret = generate_secret_key()

        rotated = await api.client.post(
            ROTATION, json=await _consent(api, alice.secret_key, new_secret), headers=alice.headers
        )
        assert rotated.status_code == 200
        await asyncio.sleep(1.0)  # the promise: within a second every process forgets its answer

        assert (await _nostr_json(api.client, name))["names"] == {name: public_key_of(new_secret)}
        assert (await _nostr_json(other_client, name))["names"] == {name: public_key_of(new_secret)}


async def test_n7_a_recovery_needs_a_fresh_challenge_a_new_key_and_a_key_no_account_holds(api):
    alice = await api.sign_in()
    bob = await api.sign_in()
    wallet_headers, _ = await _wallet_session(api, alice)
    new_secret = generate_secret_key()
    used = await _challenge(api)
    login = await api.client.post(
        "/api/v1/auth/login", json={"event": _event(api, generate_secret_key(), used)}
    )
    assert login.status_code == 200

    replayed = await api.client.post(
        RECOVERY, json={"new_key_event": _event(api, new_secret, used)}, headers=wallet_headers
    )
    unknown = await api.client.post(
        RECOVERY,
        json={"new_key_event": _event(api, new_secret, secrets.token_hex(32))},
        headers=wallet_headers,
    )
    same_key = await api.client.post(
        RECOVERY,
        json={"new_key_event": _event(api, alice.secret_key, await _challenge(api))},
        headers=wallet_headers,
    )
    taken = await api.client.post(
        RECOVERY,
        json={"new_key_event": _event(api, bob.secret_key, await _challenge(api))},
        headers=wallet_headers,
    )

    assert (replayed.status_code, unknown.status_code, same_key.status_code, taken.status_code) == (
        403,
        403,
        403,
        409,
    )
    # Nothing is pending: the old key has nothing to cancel.
    assert (await api.client.delete(RECOVERY, headers=alice.headers)).status_code == 404


async def test_n7_an_api_key_cannot_change_the_accounts_key(api):
    alice = await api.sign_in()
    issued = await api.client.post(
        "/api/v1/api-keys", json={"name": "bot", "scopes": ["wot:read"]}, headers=alice.headers
    )
    key = {"X-API-Key": issued.json()["key"]}
    new_secret = generate_secret_key()

    rotated = await api.client.post(
        ROTATION, json=await _consent(api, alice.secret_key, new_secret), headers=key
    )
    canceled = await api.client.delete(RECOVERY, headers=key)

    assert (rotated.status_code, canceled.status_code) == (403, 403)
    assert (await api.client.get("/api/v1/me", headers=alice.headers)).json()["pubkey"] == alice.pubkey


async def test_n7_the_new_key_must_differ_from_the_accounts_key(api):
    alice = await api.sign_in()
    response = await api.client.post(
        ROTATION, json=await _consent(api, alice.secret_key, alice.secret_key), headers=alice.headers
    )
    assert response.status_code == 403
    assert "already" in response.json()["detail"]
