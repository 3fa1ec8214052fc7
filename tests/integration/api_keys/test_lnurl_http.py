"""LNURL-auth (LUD-04) end to end over HTTP with a real wallet key (coincurve) and real DER
signatures, against the real app and PostgreSQL."""

import base64
import hashlib
import logging
import secrets
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import msgspec
import pytest
from bech32 import bech32_decode, convertbits
from coincurve import PrivateKey
from litestar.testing import AsyncTestClient

from adapters.http.app import create_app
from adapters.postgres.unit_of_work import PostgresUnitOfWork
from application.auth.lnurl import LINK_NEEDS_NIP98
from bootstrap.container import Container
from bootstrap.settings import load_settings
from domain.audit.entries import AuditLogQuery
from domain.auth.lnurl import LnurlWallet
from domain.auth.lnurl_protocol import UNLINKED_WALLET
from domain.nostr.signing import sign_event
from tests import builders
from tests.fixtures.auth import TEST_PUBLIC_URL
from tests.integration.postgres.support import committed
from tests.support.concurrent_http import send_at_once
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.integration


@pytest.fixture
def api_settings_env(api_settings_env):
    # These tests call the sign-in endpoints far more often than a person would.
    return {**api_settings_env, "RATE_LIMIT_SIGN_IN": "100000"}


class Wallet:
    def __init__(self) -> None:
        self.key = PrivateKey(secrets.token_bytes(32))
        self.linking_key = self.key.public_key.format(compressed=True).hex()

    def callback_params(self, callback_url: str, *, over_hash: bool = False) -> dict[str, str]:
        query = {name: values[0] for name, values in parse_qs(urlsplit(callback_url).query).items()}
        k1 = bytes.fromhex(query["k1"])
        sig = self.key.sign(k1) if over_hash else self.key.sign(k1, hasher=None)
        return {**query, "sig": sig.hex(), "key": self.linking_key}


START_URL = f"{TEST_PUBLIC_URL}/api/v1/auth/lnurl"


def _body(action: str) -> bytes:
    return msgspec.json.encode({"action": action})


def _nip98(api, user, action: str) -> dict[str, str]:
    """A fresh NIP-98 signature by the user's key over this very start request, as linking needs."""
    tags = [["u", START_URL], ["method", "POST"], ["payload", hashlib.sha256(_body(action)).hexdigest()]]
    event = sign_event(
        user.secret_key, kind=27235, tags=tags, content="", created_at=int(api.clock.now().timestamp())
    )
    return {"Authorization": "Nostr " + base64.b64encode(msgspec.json.encode(event)).decode()}


async def _post_start(api, action="login", headers=None):
    headers = {"Content-Type": "application/json", **(headers or {})}
    return await api.client.post("/api/v1/auth/lnurl", content=_body(action), headers=headers)


async def _start(api, action="login", headers=None):
    response = await _post_start(api, action, headers)
    assert response.status_code == 201, response.text
    return response.json()


async def _poll(api, started, method="GET"):
    response = await api.client.request(method, f"/api/v1/auth/lnurl/{started['poll']}")
    assert response.status_code == 200, response.text
    return response.json() if method == "GET" else None


async def _callback(api, params):
    response = await api.client.get("/api/v1/auth/lnurl/callback", params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def _linked_wallet(api, user) -> Wallet:
    wallet = Wallet()
    started = await _start(api, "link", _nip98(api, user, "link"))
    assert await _callback(api, wallet.callback_params(started["callback_url"])) == {"status": "OK"}
    api.clock.advance(timedelta(seconds=1))  # the next NIP-98 event of this user is a new event
    return wallet


async def test_the_lnurl_is_bech32_of_the_callback_url_on_the_public_origin(api):
    started = await _start(api)

    hrp, data = bech32_decode(started["lnurl"].lower())
    assert hrp == "lnurl"
    assert bytes(convertbits(data, 5, 8, False)).decode() == started["callback_url"]
    assert started["callback_url"].startswith(TEST_PUBLIC_URL + "/api/v1/auth/lnurl/callback?tag=login&k1=")
    assert len(started["k1"]) == 64 and int(started["k1"], 16) >= 0


async def test_a_wallet_linked_by_a_signed_in_user_then_signs_that_user_in_and_the_tokens_come_once(api):
    alice = await api.sign_in()
    wallet = await _linked_wallet(api, alice)
    me = (await api.client.get("/api/v1/me", headers=alice.headers)).json()
    assert me["lnurl_linked"] is True

    started = await _start(api)
    assert await _poll(api, started) == {"status": "pending"}
    assert await _callback(api, wallet.callback_params(started["callback_url"])) == {"status": "OK"}

    first = await _poll(api, started)
    again = await _poll(api, started)
    assert first["status"] == "ok" and first["tokens"]["token_type"] == "Bearer"
    assert first["tokens"]["user"]["id"] == str(alice.user.id)
    assert again == {"status": "ok"}
    bearer = {"Authorization": f"Bearer {first['tokens']['access_token']}"}
    assert (await api.client.get("/api/v1/me", headers=bearer)).json()["id"] == str(alice.user.id)


async def test_an_unlinked_wallet_is_told_to_sign_in_with_nostr_and_link_first(api):
    started = await _start(api)

    answer = await _callback(api, Wallet().callback_params(started["callback_url"]))

    assert answer == {"status": "ERROR", "reason": UNLINKED_WALLET}
    assert await _poll(api, started) == {"status": "pending"}


async def test_linking_needs_a_signed_in_user(api):
    response = await api.client.post("/api/v1/auth/lnurl", json={"action": "link"})
    assert response.status_code == 401


async def test_l1_an_unknown_or_reused_k1_is_an_error(api):
    alice = await api.sign_in()
    wallet = await _linked_wallet(api, alice)
    started = await _start(api)
    params = wallet.callback_params(started["callback_url"])
    assert await _callback(api, params) == {"status": "OK"}

    reused = await _callback(api, params)
    unknown_k1 = secrets.token_hex(32)
    signed_unknown = wallet.key.sign(bytes.fromhex(unknown_k1), hasher=None).hex()
    unknown = await _callback(api, {**params, "k1": unknown_k1, "sig": signed_unknown})

    assert reused["status"] == "ERROR" and "used" in reused["reason"]
    assert unknown == {"status": "ERROR", "reason": "unknown k1"}


async def test_l1_an_expired_k1_is_an_error_at_the_exact_boundary(api, api_container):
    alice = await api.sign_in()
    wallet = await _linked_wallet(api, alice)
    clock = api.clock
    started = await _start(api)
    params = wallet.callback_params(started["callback_url"])

    clock.advance(timedelta(minutes=5))
    answer = await _callback(api, params)

    assert answer["status"] == "ERROR" and "expired" in answer["reason"]
    assert await _poll(api, started) == {"status": "expired"}
    clock.advance(-timedelta(microseconds=1))
    assert await _callback(api, params) == {"status": "OK"}


async def test_l1_of_20_concurrent_redemptions_of_one_k1_exactly_one_succeeds_and_one_session_opens(
    api, postgres_pool
):
    alice = await api.sign_in()
    wallet = await _linked_wallet(api, alice)
    started = await _start(api)
    params = wallet.callback_params(started["callback_url"])

    callbacks = await send_at_once(
        api, TEST_PUBLIC_URL, [("GET", "/api/v1/auth/lnurl/callback", {"params": params})] * 20
    )
    polls = await send_at_once(
        api, TEST_PUBLIC_URL, [("GET", f"/api/v1/auth/lnurl/{started['poll']}", {})] * 20
    )
    answers = [response.json() for response in callbacks]

    assert sum(answer == {"status": "OK"} for answer in answers) == 1
    assert sum("tokens" in poll.json() for poll in polls) == 1
    async with PostgresUnitOfWork(postgres_pool) as uow:
        entries = await uow.audit_log.search(
            AuditLogQuery(actor_user_id=alice.user.id, action="auth.sign_in")
        )
    assert [entry.details for entry in entries].count({"method": "lnurl"}) == 1


async def test_l2_over_http_a_signature_over_sha256_of_k1_and_an_uncompressed_key_are_rejected(api):
    alice = await api.sign_in()
    wallet = await _linked_wallet(api, alice)
    started = await _start(api)

    over_hash = await _callback(api, wallet.callback_params(started["callback_url"], over_hash=True))
    params = wallet.callback_params(started["callback_url"])
    uncompressed = await _callback(
        api, {**params, "key": wallet.key.public_key.format(compressed=False).hex()}
    )
    not_der = await _callback(api, {**params, "sig": params["sig"][8:]})

    assert over_hash["status"] == "ERROR" and "does not verify" in over_hash["reason"]
    assert uncompressed["status"] == "ERROR" and "compressed" in uncompressed["reason"]
    assert not_der["status"] == "ERROR" and "DER" in not_der["reason"]
    # None of them used the k1 up.
    assert await _callback(api, params) == {"status": "OK"}


async def test_a_wallet_linked_to_one_account_cannot_be_linked_to_another(api):
    alice = await api.sign_in()
    bob = await api.sign_in()
    wallet = await _linked_wallet(api, alice)
    started = await _start(api, "link", _nip98(api, bob, "link"))

    answer = await _callback(api, wallet.callback_params(started["callback_url"]))

    assert answer == {"status": "ERROR", "reason": "this wallet is linked to another account"}


async def test_a1_linking_and_signing_in_with_a_wallet_are_audited_without_secrets(api, postgres_pool):
    alice = await api.sign_in()
    wallet = await _linked_wallet(api, alice)
    started = await _start(api)
    params = wallet.callback_params(started["callback_url"])
    await _callback(api, params)
    await _poll(api, started)

    async with PostgresUnitOfWork(postgres_pool) as uow:
        entries = await uow.audit_log.search(AuditLogQuery(actor_user_id=alice.user.id, limit=100))
    by_action = {(entry.action, entry.details.get("method")): entry for entry in entries}
    assert by_action[("auth.lnurl_linked", None)].details == {"linking_key": wallet.linking_key}
    signed_in = by_action[("auth.sign_in", "lnurl")]
    assert signed_in.target_type == "session" and signed_in.user_agent == "testclient"
    for entry in entries:
        for secret in (started["k1"], started["poll"], params["sig"]):
            assert secret not in repr(entry)


async def test_a1_a_wallet_link_is_audited_with_where_the_wallets_request_came_from(api, postgres_pool):
    alice = await api.sign_in()
    started = await _start(api, "link", _nip98(api, alice, "link"))
    params = Wallet().callback_params(started["callback_url"])

    response = await api.client.get(
        "/api/v1/auth/lnurl/callback", params=params, headers={"User-Agent": "wallet/1.0"}
    )

    assert response.json() == {"status": "OK"}
    async with PostgresUnitOfWork(postgres_pool) as uow:
        query = AuditLogQuery(actor_user_id=alice.user.id, action="auth.lnurl_linked", limit=10)
        entries = await uow.audit_log.search(query)
    assert [entry.user_agent for entry in entries] == ["wallet/1.0"]


async def test_l3_when_the_k1_store_is_down_lnurl_fails_closed_with_503(api_settings_env, postgres_pool):
    proxy = TcpProxy("127.0.0.1", 5432)
    proxy.start()
    try:
        dsn = urlsplit(api_settings_env["DATABASE_URL"])._replace(netloc=f"postgres@127.0.0.1:{proxy.port}")
        container = Container(settings=load_settings({**api_settings_env, "DATABASE_URL": dsn.geturl()}))
        wallet, user = Wallet(), builders.user()
        linked = LnurlWallet.link(user.id, wallet.linking_key, builders.NOW)
        await committed(lambda: PostgresUnitOfWork(postgres_pool), user, linked)
        async with AsyncTestClient(create_app(container), base_url=TEST_PUBLIC_URL) as client:
            started = (await client.post("/api/v1/auth/lnurl", json={"action": "login"})).json()
            params = wallet.callback_params(started["callback_url"])

            proxy.stop()
            callback = await client.get("/api/v1/auth/lnurl/callback", params=params)
            poll = await client.get(f"/api/v1/auth/lnurl/{started['poll']}")
            start = await client.post("/api/v1/auth/lnurl", json={"action": "login"})

            for response in (callback, poll, start):
                assert response.status_code == 503
                assert response.headers["content-type"].startswith("application/problem+json")
                assert "retry-after" in response.headers
            proxy.start()
            # Nothing was redeemed while the store was down: the k1 still works once.
            assert (await client.get("/api/v1/auth/lnurl/callback", params=params)).json() == {"status": "OK"}
    finally:
        proxy.close()


async def test_t3_a_head_on_the_poll_claims_nothing_and_the_get_after_it_gets_the_tokens(api):
    alice = await api.sign_in()
    wallet = await _linked_wallet(api, alice)
    started = await _start(api)
    assert await _callback(api, wallet.callback_params(started["callback_url"])) == {"status": "OK"}

    head = await api.client.head(f"/api/v1/auth/lnurl/{started['poll']}")
    polled = await _poll(api, started)

    assert head.status_code == 200 and head.content == b""
    assert polled["status"] == "ok" and polled["tokens"]["user"]["id"] == str(alice.user.id)


async def test_t3_the_k1_printed_in_the_qr_code_does_not_poll_and_the_poll_secret_is_not_in_the_lnurl(api):
    alice = await api.sign_in()
    wallet = await _linked_wallet(api, alice)
    started = await _start(api)
    assert await _callback(api, wallet.callback_params(started["callback_url"])) == {"status": "OK"}

    by_k1 = await api.client.get(f"/api/v1/auth/lnurl/{started['k1']}")

    assert by_k1.status_code == 404 and "token" not in by_k1.text
    _, data = bech32_decode(started["lnurl"].lower())
    printed = bytes(convertbits(data, 5, 8, False)).decode()
    assert started["poll"] != started["k1"]
    assert started["poll"] not in printed and started["poll"] not in started["callback_url"]
    assert (await _poll(api, started))["tokens"]["user"]["id"] == str(alice.user.id)


async def test_t5_linking_needs_a_fresh_nip98_proof_a_session_token_or_api_key_is_refused(api):
    alice = await api.sign_in()
    key = await api.client.post(
        "/api/v1/api-keys", json={"name": "ci", "scopes": ["wot:read"]}, headers=alice.headers
    )
    api.clock.advance(timedelta(minutes=10))  # the session's sign-in is no longer fresh

    by_session = await _post_start(api, "link", alice.headers)
    by_api_key = await _post_start(api, "link", {"X-API-Key": key.json()["key"]})
    by_nip98 = await _post_start(api, "link", _nip98(api, alice, "link"))

    assert by_session.status_code == 403
    assert by_session.headers["content-type"].startswith("application/problem+json")
    assert by_session.json()["detail"] == LINK_NEEDS_NIP98
    assert by_api_key.status_code == 403
    assert by_nip98.status_code == 201


async def test_a1_two_wallets_link_to_one_account_are_listed_and_an_unlinked_one_signs_no_one_in(
    api, postgres_pool
):
    alice, bob = await api.sign_in(), await api.sign_in()
    first = await _linked_wallet(api, alice)
    second = await _linked_wallet(api, alice)

    listed = (await api.client.get("/api/v1/auth/wallets", headers=alice.headers)).json()["items"]
    assert [item["key_prefix"] for item in listed] == [first.linking_key[:10], second.linking_key[:10]]
    assert [item["last_used_at"] for item in listed] == [None, None]
    assert (await api.client.get("/api/v1/auth/wallets", headers=bob.headers)).json() == {"items": []}
    first_id = listed[0]["id"]
    assert (
        await api.client.delete(f"/api/v1/auth/wallets/{first_id}", headers=bob.headers)
    ).status_code == 404
    assert (
        await api.client.delete(f"/api/v1/auth/wallets/{first_id}", headers=alice.headers)
    ).status_code == 204

    started = await _start(api)
    refused = await _callback(api, first.callback_params(started["callback_url"]))
    accepted = await _callback(api, second.callback_params(started["callback_url"]))

    assert refused == {"status": "ERROR", "reason": UNLINKED_WALLET}
    assert accepted == {"status": "OK"}
    assert (await _poll(api, started))["tokens"]["user"]["id"] == str(alice.user.id)
    remaining = (await api.client.get("/api/v1/auth/wallets", headers=alice.headers)).json()["items"]
    assert [item["id"] for item in remaining] == [listed[1]["id"]]
    assert remaining[0]["last_used_at"] is not None
    async with PostgresUnitOfWork(postgres_pool) as uow:
        unlinked = await uow.audit_log.search(
            AuditLogQuery(actor_user_id=alice.user.id, action="auth.lnurl_unlinked")
        )
    assert [(entry.target_id, entry.details) for entry in unlinked] == [
        (first_id, {"linking_key": first.linking_key})
    ]


async def test_t3_no_secret_of_a_whole_sign_in_poll_and_key_flow_reaches_a_log_line_metric_or_problem(
    api, caplog
):
    caplog.set_level(logging.DEBUG)
    alice = await api.sign_in()
    wallet = await _linked_wallet(api, alice)
    started = await _start(api)
    params = wallet.callback_params(started["callback_url"])
    await _callback(api, params)
    await api.client.head(f"/api/v1/auth/lnurl/{started['poll']}")
    tokens = (await _poll(api, started))["tokens"]
    refreshed = (
        await api.client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    ).json()
    key = (
        await api.client.post(
            "/api/v1/api-keys", json={"name": "ci", "scopes": ["wot:read"]}, headers=alice.headers
        )
    ).json()["key"]
    await api.client.get(f"/api/v1/wot/{alice.pubkey}", headers={"X-API-Key": key})
    problems = [
        await api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}x"}),
        await api.client.get("/api/v1/me", headers={"X-API-Key": key + "x"}),
        await api.client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}),
        await api.client.get(f"/api/v1/auth/lnurl/{started['poll']}x"),
    ]
    metrics = (await api.client.get("/metrics")).text

    secrets_seen = [
        started["k1"],
        started["poll"],
        params["sig"],
        alice.access_token,
        alice.refresh_token,
        tokens["access_token"],
        tokens["refresh_token"],
        refreshed["access_token"],
        refreshed["refresh_token"],
        key,
    ]
    # The test's own HTTP client (httpx) logs the URLs it calls; every other line is the service's.
    served = [record for record in caplog.records if record.name.split(".")[0] not in {"httpx", "httpcore"}]
    logged = [repr(record.__dict__) + record.getMessage() for record in served]
    assert any(record.name == "nostr_id.access" for record in caplog.records)
    for secret in secrets_seen:
        assert not [line for line in logged if secret in line], secret
        assert secret not in metrics
        for problem in problems:
            assert problem.status_code >= 400 and secret not in problem.text
