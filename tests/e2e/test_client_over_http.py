"""End to end with the typed client against `nostr-id serve` (real PostgreSQL, the memory relay and
cache): the README's flows. Sign in with Nostr, call with NIP-98, link a Lightning wallet (a real
coincurve key signing k1 in DER, calling the LUD-04 callback), sign in with it, and use, meter and
revoke an API key. With a real peer address, the audit log records the IP. The access log of a
served sign-in holds none of its secrets."""

import os
import secrets
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from coincurve import PrivateKey

from client import ApiError, NostrIdClient, NostrSigner
from tests.support.serve import CLI, wait_ready
from tests.support.tcp_proxy import free_port

AUDITED = "SELECT action, host(ip) FROM audit_log WHERE target_id = %(target)s"


@pytest.fixture(scope="module")
def served_log(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("serve-log") / "serve.log"


@pytest.fixture(scope="module")
def served(postgres_dsn, tmp_path_factory, served_log) -> Iterator[str]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": postgres_dsn,
        "RELAY_URLS": "memory://",
        "PUBLIC_URL": base_url,
        "DATA_DIR": str(tmp_path_factory.mktemp("serve")),
        "LOG_LEVEL": "INFO",
        "USAGE_FLUSH_INTERVAL": "1",
        "RATE_LIMIT_SIGN_IN": "1000",  # these flows sign in more often than a person does
    }
    env.pop("REDIS_URL", None)
    with served_log.open("w") as log:
        serve = subprocess.Popen([*CLI, "serve", "--port", str(port)], env=env, stderr=log, stdout=log)
        try:
            wait_ready(base_url, serve)
            yield base_url
        finally:
            serve.terminate()
            serve.wait(timeout=30)


def _wallet_calls_back(callback_url: str, wallet: PrivateKey) -> dict:
    k1 = httpx.URL(callback_url).params["k1"]
    signature = wallet.sign(bytes.fromhex(k1), hasher=None).hex()
    key = wallet.public_key.format(compressed=True).hex()
    # As wallets do: the parameters are appended to the callback URL as given.
    return httpx.get(f"{callback_url}&sig={signature}&key={key}", timeout=10).json()


def test_a_client_signs_in_with_nostr_then_with_a_lightning_wallet_and_uses_an_api_key(served, postgres_dsn):
    secret_key = secrets.token_hex(32)
    with NostrIdClient(served) as api:
        tokens = api.sign_in_with_nostr(secret_key)
        signed_in = api.with_bearer(tokens.access_token)
        assert signed_in.me().pubkey == NostrSigner(secret_key).pubkey
        assert api.with_nostr_key(secret_key).me().id == tokens.user.id

        wallet = PrivateKey(secrets.token_bytes(32))
        unlinked = api.lnurl_start("login")
        assert _wallet_calls_back(unlinked.callback_url, wallet)["status"] == "ERROR"

        with pytest.raises(ApiError) as unconfirmed:
            signed_in.lnurl_start("link")
        assert unconfirmed.value.status == 403
        link = api.with_nostr_key(secret_key).lnurl_start("link")
        assert _wallet_calls_back(link.callback_url, wallet) == {"status": "OK"}
        assert signed_in.lnurl_poll(link.poll).status == "ok"
        assert signed_in.me().lnurl_linked is True
        assert [linked.key_prefix for linked in signed_in.wallets()] == [
            wallet.public_key.format(compressed=True).hex()[:10]
        ]

        login = api.lnurl_start("login")
        assert api.lnurl_poll(login.poll).status == "pending"
        assert _wallet_calls_back(login.callback_url, wallet) == {"status": "OK"}
        answer = api.lnurl_poll(login.poll)
        assert answer.status == "ok" and answer.tokens is not None
        assert answer.tokens.user.id == tokens.user.id
        assert api.lnurl_poll(login.poll).tokens is None

        created = signed_in.create_api_key("crawler", ["wot:read"])
        robot = api.with_api_key(created.key)
        target = NostrSigner.generate().pubkey
        assert robot.wot(target).pubkey == target
        signed_in.revoke_api_key(created.id)
        with pytest.raises(ApiError) as refused:
            robot.wot(target)
        assert refused.value.status == 401
        assert [key.revoked_at is not None for key in signed_in.api_keys()] == [True]

        signed_in.unlink_wallet(signed_in.wallets()[0].id)
        assert signed_in.wallets() == [] and signed_in.me().lnurl_linked is False
        again = api.lnurl_start("login")
        assert _wallet_calls_back(again.callback_url, wallet)["status"] == "ERROR"

    with psycopg.connect(postgres_dsn) as conn:
        rows = conn.execute(AUDITED, {"target": created.id}).fetchall()
    assert sorted(rows) == [("api_key.created", "127.0.0.1"), ("api_key.revoked", "127.0.0.1")]


def test_t3_the_access_log_of_a_served_sign_in_poll_and_key_holds_none_of_their_secrets(served, served_log):
    secret_key = secrets.token_hex(32)
    wallet = PrivateKey(secrets.token_bytes(32))
    with NostrIdClient(served) as api:
        tokens = api.sign_in_with_nostr(secret_key)
        signed_in = api.with_bearer(tokens.access_token)
        link = api.with_nostr_key(secret_key).lnurl_start("link")
        _wallet_calls_back(link.callback_url, wallet)
        login = api.lnurl_start("login")
        _wallet_calls_back(login.callback_url, wallet)
        httpx.head(f"{served}/api/v1/auth/lnurl/{login.poll}", timeout=10)
        answer = api.lnurl_poll(login.poll)
        assert answer.tokens is not None
        refreshed = api.refresh(answer.tokens.refresh_token)
        key = signed_in.create_api_key("crawler", ["wot:read"]).key
        api.with_api_key(key).wot(NostrSigner.generate().pubkey)
        marker = api.with_bearer(refreshed.access_token).me().id

    secrets_used = [
        link.k1,
        link.poll,
        login.k1,
        login.poll,
        tokens.access_token,
        tokens.refresh_token,
        answer.tokens.access_token,
        answer.tokens.refresh_token,
        refreshed.access_token,
        refreshed.refresh_token,
        key,
    ]
    deadline = time.monotonic() + 10
    while "/api/v1/me" not in (text := served_log.read_text()):
        assert time.monotonic() < deadline, "the access lines are written"
        time.sleep(0.1)
    assert "/api/v1/auth/lnurl/{poll}" in text and marker not in text
    for secret in secrets_used:
        assert secret not in text
