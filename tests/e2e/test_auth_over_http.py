"""Sign-in end to end: `nostr-id serve` with two workers sharing PostgreSQL and Redis, a client
signing real events with coincurve (BIP-340), NIP-98, refresh rotation and sign-out heard by every
worker."""

import base64
import os
import secrets
import subprocess
import time
from collections.abc import Iterator

import httpx
import msgspec
import psycopg
import pytest

from domain.nostr.signing import generate_secret_key, public_key_of, sign_event
from tests.support.serve import CLI, wait_ready
from tests.support.tcp_proxy import free_port

AUDIT_OF = "SELECT action, host(ip) FROM audit_log WHERE actor_pubkey = %s ORDER BY occurred_at, action"


@pytest.fixture(scope="module")
def served(postgres_dsn, redis_url, tmp_path_factory) -> Iterator[str]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": postgres_dsn,
        "REDIS_URL": redis_url,
        "RELAY_URLS": "memory://",
        "PUBLIC_URL": base_url,
        "JWT_SECRET": secrets.token_hex(32),
        "DATA_DIR": str(tmp_path_factory.mktemp("serve")),
        "LOG_LEVEL": "WARNING",
    }
    serve = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--workers", "2"], env=env, stderr=subprocess.DEVNULL
    )
    try:
        wait_ready(base_url, serve)
        yield base_url
    finally:
        serve.terminate()
        serve.wait(timeout=30)


def _sign_in(base_url: str, secret: str) -> dict:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        challenge = client.post("/api/v1/auth/challenge").json()["challenge"]
        event = sign_event(
            secret,
            kind=22242,
            tags=[["relay", base_url], ["challenge", challenge]],
            content="",
            created_at=int(time.time()),
        )
        response = client.post("/api/v1/auth/login", json={"event": msgspec.to_builtins(event)})
    assert response.status_code == 200, response.text
    return response.json()


def _fresh(base_url: str, method: str, path: str, **kwargs) -> httpx.Response:
    """One request on a new connection, so successive requests reach either worker."""
    with httpx.Client(base_url=base_url, timeout=10) as client:
        return client.request(method, path, **kwargs)


def _nip98(secret: str, url: str, method: str = "GET") -> dict[str, str]:
    event = sign_event(
        secret, kind=27235, tags=[["u", url], ["method", method]], content="", created_at=int(time.time())
    )
    return {"Authorization": "Nostr " + base64.b64encode(msgspec.json.encode(event)).decode()}


def test_sign_in_use_and_refresh_a_session_over_http(served, postgres_dsn):
    secret = generate_secret_key()
    tokens = _sign_in(served, secret)
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}

    for _ in range(6):
        me = _fresh(served, "GET", "/api/v1/me", headers=bearer)
        assert me.status_code == 200
        assert me.json()["pubkey"] == public_key_of(secret)

    rotated = _fresh(served, "POST", "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert rotated.status_code == 200
    reuse = _fresh(served, "POST", "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert reuse.status_code == 401
    after = _fresh(
        served, "POST", "/api/v1/auth/refresh", json={"refresh_token": rotated.json()["refresh_token"]}
    )
    assert after.status_code == 401

    with psycopg.connect(postgres_dsn) as conn:
        audit = conn.execute(AUDIT_OF, (public_key_of(secret),)).fetchall()
    assert ("auth.sign_in", "127.0.0.1") in audit


def test_nip98_over_http_is_single_use_across_workers(served):
    secret = generate_secret_key()
    headers = _nip98(secret, f"{served}/api/v1/me")

    first = _fresh(served, "GET", "/api/v1/me", headers=headers)
    replays = [_fresh(served, "GET", "/api/v1/me", headers=headers) for _ in range(6)]

    assert first.status_code == 200
    assert first.json()["pubkey"] == public_key_of(secret)
    assert [replay.status_code for replay in replays] == [401] * 6


def test_sign_out_is_heard_by_every_worker_within_a_second(served):
    tokens = _sign_in(served, generate_secret_key())
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    for _ in range(6):  # both workers hold the session's verdict in memory
        assert _fresh(served, "GET", "/api/v1/me", headers=bearer).status_code == 200

    assert _fresh(served, "POST", "/api/v1/auth/logout", headers=bearer).status_code == 204
    signed_out_at = time.monotonic()
    time.sleep(max(0.0, signed_out_at + 1.0 - time.monotonic()))

    statuses = [_fresh(served, "GET", "/api/v1/me", headers=bearer).status_code for _ in range(8)]
    assert statuses == [401] * 8
