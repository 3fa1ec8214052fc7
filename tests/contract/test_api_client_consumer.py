"""Consumer contract: what the nostr-id Python client (`client/`) expects of the nostr-id API, for
sign-in, sessions, API keys, LNURL-auth and the Web of Trust. The provider side is verified
against the real app in test_api_provider.py."""

import base64
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pact import Pact, match

from client import ApiError, NostrIdClient, NostrSigner
from domain.auth.lnurl import K1_SHAPE
from domain.nostr.pubkeys import HEX_PUBKEY
from tests.contract import api_states as world

PACTS = Path(__file__).parent / "pacts"
CONSUMER, PROVIDER = "nostr-id-client", "nostr-id"
DATETIME = "2026-01-01T00:00:00Z"
BOB = NostrSigner(world.BOB_SECRET).pubkey
HEX = f"^{HEX_PUBKEY.pattern}$"

USER = {
    "id": match.uuid(str(world.ALICE.id)),
    "pubkey": match.regex(world.ALICE.pubkey, regex=HEX),
    "npub": match.regex("npub1" + "q" * 58, regex="^npub1[02-9ac-hj-np-z]{58}$"),
    "role": match.str("user"),
    "created_at": match.str(DATETIME),
}
TOKENS = {
    "access_token": match.str("eyJ.example.token"),
    "token_type": "Bearer",
    "expires_in": match.int(900),
    "refresh_token": match.regex("nid_rt_example", regex="^nid_rt_.+$"),
    "user": USER,
}
WOT = {
    "pubkey": match.regex(BOB, regex=HEX),
    "npub": match.regex("npub1" + "q" * 58, regex="^npub1[02-9ac-hj-np-z]{58}$"),
    "followers_count": match.int(0),
    "following_count": match.int(0),
    "wot_depth": None,
    "trust_score": match.number(0.0),
    "is_likely_bot": match.bool(False),
    "bot_reasons": match.each_like("no followers", min=0),
    "account_age_score": match.number(0.0),
    "activity_score": match.number(0.0),
    "discount_percent": match.int(0),
    "computed_at": match.str(DATETIME),
    "stale": match.bool(False),
}
PROBLEM = {
    "type": match.str("about:blank"),
    "title": match.str("Unauthorized"),
    "status": 401,
    "detail": match.str("sign in"),
}


@pytest.fixture(scope="module")
def fresh_pact_file() -> None:
    (PACTS / f"{CONSUMER}-{PROVIDER}.json").unlink(missing_ok=True)


@pytest.fixture
def pact(fresh_pact_file: None) -> Iterator[Pact]:
    contract = Pact(CONSUMER, PROVIDER).with_specification("V4")
    yield contract
    contract.write_file(PACTS, overwrite=False)


def _client(server_url: str) -> NostrIdClient:
    return NostrIdClient(str(server_url), public_url=world.PUBLIC_URL)


def _bearer(family=world.SIGNED_IN_FAMILY) -> str:
    return f"Bearer {world.access_token(family)}"


def test_sign_in_with_nostr(pact: Pact, monkeypatch: pytest.MonkeyPatch) -> None:
    signer = NostrSigner(world.ALICE_SECRET)
    event = signer.sign(
        22242,
        [["relay", world.PUBLIC_URL], ["challenge", world.CHALLENGE]],
        created_at=int(world.NOW.timestamp()),
        aux_rand=world.AUX_RAND,
    )
    (
        pact.upon_receiving("a request for a sign-in challenge")
        .with_request("POST", "/api/v1/auth/challenge")
        .will_respond_with(201)
        .with_body(
            {
                "challenge": match.regex(world.CHALLENGE, regex="^[0-9a-f]{64,128}$"),
                "expires_at": match.str(DATETIME),
            }
        )
    )
    (
        pact.upon_receiving("a sign-in with a signed challenge")
        .given(world.CHALLENGE_ISSUED)
        .with_request("POST", "/api/v1/auth/login")
        .with_body({"event": event}, content_type="application/json")
        .will_respond_with(200)
        .with_body(TOKENS)
    )
    monkeypatch.setattr(NostrSigner, "sign_in_event", lambda self, challenge, public_url: event)
    with pact.serve() as server:
        tokens = _client(server.url).sign_in_with_nostr(world.ALICE_SECRET)

    assert tokens.token_type == "Bearer"
    assert tokens.user.pubkey == world.ALICE.pubkey


def test_sessions(pact: Pact) -> None:
    (
        pact.upon_receiving("a refresh of a session")
        .given(world.HOLDS_REFRESH_TOKEN)
        .with_request("POST", "/api/v1/auth/refresh")
        .with_body({"refresh_token": world.REFRESH_TOKEN}, content_type="application/json")
        .will_respond_with(200)
        .with_body(TOKENS)
    )
    (
        pact.upon_receiving("a list of the user's sessions")
        .given(world.SIGNED_IN)
        .with_request("GET", "/api/v1/auth/sessions")
        .with_header("Authorization", _bearer())
        .will_respond_with(200)
        .with_body(
            {
                "items": match.each_like(
                    {
                        "id": match.uuid(str(world.SIGNED_IN_FAMILY)),
                        "created_at": match.str(DATETIME),
                        "last_used_at": match.str(DATETIME),
                        "user_agent": match.str("pact"),
                        "ip": None,
                        "current": match.bool(True),
                    }
                )
            }
        )
    )
    (
        pact.upon_receiving("a sign-out")
        .given(world.ENDING_SESSION)
        .with_request("POST", "/api/v1/auth/logout")
        .with_header("Authorization", _bearer(world.ENDING_FAMILY))
        .will_respond_with(204)
    )
    (
        pact.upon_receiving("the signed-in user's account")
        .given(world.SIGNED_IN)
        .with_request("GET", "/api/v1/me")
        .with_header("Authorization", _bearer())
        .will_respond_with(200)
        .with_body({**USER, "lnurl_linked": match.bool(False)})
    )
    (
        pact.upon_receiving("a request without credentials for the account")
        .with_request("GET", "/api/v1/me")
        .will_respond_with(401)
        .with_header("Content-Type", "application/problem+json")
        .with_body(PROBLEM, content_type="application/problem+json")
    )
    with pact.serve() as server:
        client = _client(server.url)
        refreshed = client.refresh(world.REFRESH_TOKEN)
        signed_in = client.with_bearer(world.access_token(world.SIGNED_IN_FAMILY))
        sessions = signed_in.sessions()
        me = signed_in.me()
        client.with_bearer(world.access_token(world.ENDING_FAMILY)).logout()
        with pytest.raises(ApiError) as refused:
            client.me()

    assert refreshed.refresh_token.startswith("nid_rt_")
    assert sessions[0].current is True
    assert me.lnurl_linked is False
    assert refused.value.status == 401


def test_nip98_signed_request(pact: Pact, monkeypatch: pytest.MonkeyPatch) -> None:
    signer = NostrSigner(world.ALICE_SECRET)
    url = world.PUBLIC_URL + "/api/v1/me"
    event = signer.sign(
        27235, [["u", url], ["method", "GET"]], created_at=int(world.NOW.timestamp()), aux_rand=world.AUX_RAND
    )
    header = "Nostr " + base64.b64encode(json.dumps(event, separators=(",", ":")).encode()).decode()
    (
        pact.upon_receiving("a NIP-98 signed request for the account")
        .given(world.SIGNED_IN)
        .with_request("GET", "/api/v1/me")
        .with_header("Authorization", header)
        .will_respond_with(200)
        .with_body({**USER, "lnurl_linked": match.bool(False)})
    )
    monkeypatch.setattr(NostrSigner, "http_authorization", lambda self, u, method, body=b"": header)
    with pact.serve() as server:
        me = _client(server.url).with_nostr_key(world.ALICE_SECRET).me()

    assert me.pubkey == world.ALICE.pubkey


def test_api_keys(pact: Pact) -> None:
    key = {
        "id": match.uuid(str(world.ALICE_KEY_ID)),
        "name": match.str("crawler"),
        "prefix": match.regex(world.ALICE_KEY[:12], regex="^nid_[0-9a-f]{8}$"),
        "scopes": match.each_like("wot:read"),
        "created_at": match.str(DATETIME),
    }
    (
        pact.upon_receiving("a new API key")
        .given(world.SIGNED_IN)
        .with_request("POST", "/api/v1/api-keys")
        .with_header("Authorization", _bearer())
        .with_body({"name": "crawler", "scopes": ["wot:read"]}, content_type="application/json")
        .will_respond_with(201)
        .with_body({**key, "key": match.regex(world.ALICE_KEY, regex="^nid_[0-9a-f]+$")})
    )
    (
        pact.upon_receiving("a list of the user's API keys")
        .given(world.HAS_API_KEY)
        .with_request("GET", "/api/v1/api-keys")
        .with_header("Authorization", _bearer())
        .will_respond_with(200)
        .with_body({"items": match.each_like({**key, "last_used_at": None, "revoked_at": None})})
    )
    (
        pact.upon_receiving("the usage of an API key")
        .given(world.HAS_USED_API_KEY)
        .with_request("GET", f"/api/v1/api-keys/{world.ALICE_KEY_ID}/usage")
        .with_query_parameter("from", "2026-01-01")
        .with_query_parameter("to", "2026-01-01")
        .with_header("Authorization", _bearer())
        .will_respond_with(200)
        .with_body(
            {
                "items": match.each_like(
                    {
                        "day": "2026-01-01",
                        "endpoint": match.str("GET /api/v1/wot/{pubkey}"),
                        "status_class": match.regex("2xx", regex="^[1-5]xx$"),
                        "count": match.int(3),
                    }
                ),
                "total": match.int(3),
            }
        )
    )
    (
        pact.upon_receiving("a revocation of an API key")
        .given(world.HAS_API_KEY)
        .with_request("DELETE", f"/api/v1/api-keys/{world.ALICE_KEY_ID}")
        .with_header("Authorization", _bearer())
        .will_respond_with(204)
    )
    with pact.serve() as server:
        client = _client(server.url).with_bearer(world.access_token(world.SIGNED_IN_FAMILY))
        created = client.create_api_key("crawler", ["wot:read"])
        listed = client.api_keys()
        usage = client.api_key_usage(str(world.ALICE_KEY_ID), date(2026, 1, 1), date(2026, 1, 1))
        client.revoke_api_key(str(world.ALICE_KEY_ID))

    assert created.key.startswith("nid_")
    assert listed[0].prefix.startswith("nid_")
    assert usage.total == sum(item.count for item in usage.items)


def test_web_of_trust(pact: Pact) -> None:
    (
        pact.upon_receiving("a Web of Trust read with an API key")
        .given(world.HAS_WOT_KEY)
        .with_request("GET", f"/api/v1/wot/{BOB}")
        .with_header("X-API-Key", world.ALICE_WOT_KEY)
        .will_respond_with(200)
        .with_header("RateLimit-Limit", match.regex("600", regex="^[0-9]+$"))
        .with_body(WOT)
    )
    (
        pact.upon_receiving("an anonymous Web of Trust batch read")
        .with_request("POST", "/api/v1/wot/batch")
        .with_body({"pubkeys": [BOB]}, content_type="application/json")
        .will_respond_with(200)
        .with_body({"items": match.each_like(WOT)})
    )
    with pact.serve() as server:
        figures = _client(server.url).with_api_key(world.ALICE_WOT_KEY).wot(BOB)
        batch = _client(server.url).wot_batch([BOB])

    assert figures.pubkey == BOB
    assert batch[0].pubkey == BOB


def test_lightning_wallet_sign_in(pact: Pact) -> None:
    (
        pact.upon_receiving("a start of a Lightning wallet sign-in")
        .with_request("POST", "/api/v1/auth/lnurl")
        .with_body({"action": "login"}, content_type="application/json")
        .will_respond_with(201)
        .with_body(
            {
                "k1": match.regex(world.PENDING_K1, regex=f"^{K1_SHAPE.pattern}$"),
                "lnurl": match.regex("LNURL1DP68GURN8GHJ7", regex="^LNURL1[02-9AC-HJ-NP-Z]+$"),
                "callback_url": match.regex(
                    world.PUBLIC_URL + "/api/v1/auth/lnurl/callback?tag=login&k1=" + world.PENDING_K1,
                    regex=r"^https?://.+/api/v1/auth/lnurl/callback\?tag=login&k1="
                    + K1_SHAPE.pattern
                    + ".*$",
                ),
                "poll": match.regex(world.PENDING_POLL, regex="^nid_lp_[A-Za-z0-9_-]{43}$"),
                "expires_at": match.str(DATETIME),
            }
        )
    )
    (
        pact.upon_receiving("a poll of a pending Lightning wallet sign-in")
        .given(world.LNURL_PENDING)
        .with_request("GET", f"/api/v1/auth/lnurl/{world.PENDING_POLL}")
        .will_respond_with(200)
        .with_body({"status": "pending"})
    )
    with pact.serve() as server:
        client = _client(server.url)
        started = client.lnurl_start("login")
        polled = client.lnurl_poll(world.PENDING_POLL)

    assert started.lnurl.startswith("LNURL1") and started.poll not in started.callback_url
    assert polled.status == "pending" and polled.tokens is None


def test_linked_wallets(pact: Pact) -> None:
    (
        pact.upon_receiving("a list of the user's linked wallets")
        .given(world.HAS_WALLET)
        .with_request("GET", "/api/v1/auth/wallets")
        .with_header("Authorization", _bearer())
        .will_respond_with(200)
        .with_body(
            {
                "items": match.each_like(
                    {
                        "id": match.uuid(str(world.ALICE_WALLET_ID)),
                        "key_prefix": match.regex("02a1a1a1a1", regex="^0[23][0-9a-f]{8}$"),
                        "linked_at": match.str(DATETIME),
                        "last_used_at": None,
                    }
                )
            }
        )
    )
    (
        pact.upon_receiving("an unlink of one of the user's wallets")
        .given(world.UNLINKS_WALLET)
        .with_request("DELETE", f"/api/v1/auth/wallets/{world.ALICE_OLD_WALLET_ID}")
        .with_header("Authorization", _bearer())
        .will_respond_with(204)
    )
    with pact.serve() as server:
        client = _client(server.url).with_bearer(world.access_token(world.SIGNED_IN_FAMILY))
        wallets = client.wallets()
        client.unlink_wallet(str(world.ALICE_OLD_WALLET_ID))

    assert wallets[0].id == str(world.ALICE_WALLET_ID) and wallets[0].last_used_at is None


def _signed_in_event(secret: str, challenge: str, *extra: list[str]) -> dict:
    tags = [["relay", world.PUBLIC_URL], ["challenge", challenge], *extra]
    return NostrSigner(secret).sign(
        22242, tags, created_at=int(world.NOW.timestamp()), aux_rand=world.AUX_RAND
    )


def test_key_rotation(pact: Pact) -> None:
    dave = NostrSigner(world.DAVE_SECRET).pubkey
    new_event = _signed_in_event(world.DAVE_SECRET, world.ROTATION_CHALLENGE)
    old_event = _signed_in_event(world.CAROL_SECRET, world.ROTATION_CHALLENGE, ["p", dave])
    recovery_event = _signed_in_event(world.ERIN_SECRET, world.RECOVERY_CHALLENGE)
    (
        pact.upon_receiving("a key rotation with the old key's consent")
        .given(world.CAN_ROTATE)
        .with_request("POST", "/api/v1/me/key-rotation")
        .with_header("Authorization", f"Bearer {world.access_token(world.CAROL_FAMILY, world.CAROL.id)}")
        .with_body({"new_key_event": new_event, "old_key_event": old_event}, content_type="application/json")
        .will_respond_with(200)
        .with_body(
            {
                "id": match.uuid(str(world.CAROL.id)),
                "pubkey": match.regex(dave, regex=HEX),
                "npub": match.regex("npub1" + "q" * 58, regex="^npub1[02-9ac-hj-np-z]{58}$"),
            }
        )
    )
    (
        pact.upon_receiving("a key recovery asked by a linked wallet's session")
        .given(world.WALLET_SIGNED_IN)
        .with_request("POST", "/api/v1/me/key-rotation/recovery")
        .with_header("Authorization", _bearer(world.WALLET_FAMILY))
        .with_body({"new_key_event": recovery_event}, content_type="application/json")
        .will_respond_with(202)
        .with_body({"effective_at": match.str("2026-01-08T00:00:00Z")})
    )
    (
        pact.upon_receiving("a cancel of a pending key recovery by the old key")
        .given(world.RECOVERY_PENDING)
        .with_request("DELETE", "/api/v1/me/key-rotation/recovery")
        .with_header("Authorization", _bearer())
        .will_respond_with(204)
    )
    (
        pact.upon_receiving("renewal reminders turned off")
        .given(world.SIGNED_IN)
        .with_request("PATCH", "/api/v1/me")
        .with_header("Authorization", _bearer())
        .with_body({"reminders": False}, content_type="application/json")
        .will_respond_with(200)
        .with_body({**USER, "lnurl_linked": match.bool(False), "reminders": False})
    )
    with pact.serve() as server:
        client = _client(server.url)
        rotated = client.with_bearer(world.access_token(world.CAROL_FAMILY, world.CAROL.id)).rotate_key(
            new_event, old_event
        )
        recovery = client.with_bearer(world.access_token(world.WALLET_FAMILY)).request_key_recovery(
            recovery_event
        )
        alice = client.with_bearer(world.access_token(world.SIGNED_IN_FAMILY))
        alice.cancel_key_recovery()
        me = alice.set_reminders(False)

    assert rotated.pubkey == dave and rotated.id == str(world.CAROL.id)
    assert recovery.effective_at.year == 2026
    assert me.reminders is False
