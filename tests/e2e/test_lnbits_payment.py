"""A subscription paid through a real LNbits: `nostr-id serve` creates the invoice, a second wallet on
the same LNbits pays it, and LNbits' own callback settles the subscription."""

import os
import secrets
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import msgspec
import pytest

from domain.nostr.signing import generate_secret_key, sign_event
from tests.support.lnbits import Lnbits, start_lnbits
from tests.support.processes import alive, descendants
from tests.support.serve import CLI, wait_ready
from tests.support.tcp_proxy import free_port

pytestmark = pytest.mark.integration
SETTLE_LIMIT = 60.0


@pytest.fixture(scope="module")
def lnbits(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lnbits]:
    folder = tmp_path_factory.mktemp("lnbits")
    running = start_lnbits(folder / "data", folder / "lnbits.log")
    try:
        yield running
    finally:
        running.stop()


def sign_in(client: httpx.Client, public_url: str) -> dict[str, str]:
    secret_key = generate_secret_key()
    challenge = client.post("/api/v1/auth/challenge").json()["challenge"]
    event = sign_event(
        secret_key,
        kind=22242,
        tags=[["relay", public_url], ["challenge", challenge]],
        content="",
        created_at=int(time.time()),
    )
    login = client.post("/api/v1/auth/login", json={"event": msgspec.to_builtins(event)})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def test_a_real_lnbits_callback_settles_the_subscription(
    lnbits: Lnbits, postgres_dsn: str, tmp_path: Path
) -> None:
    merchant, payer = lnbits.create_wallet("nostr-id"), lnbits.create_wallet("buyer")
    lnbits.fund(payer, 100_000)
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": postgres_dsn,
        "RELAY_URLS": "memory://",
        "PUBLIC_URL": public_url,
        "JWT_SECRET": secrets.token_hex(32),
        "SERVICE_NSEC": generate_secret_key(),
        "ENVIRONMENT": "test",
        "DATA_DIR": str(tmp_path),
        "LNBITS_URL": lnbits.url,
        "LNBITS_API_KEY": merchant.invoice_key,
    }
    env.pop("REDIS_URL", None)
    serve = subprocess.Popen([*CLI, "serve", "--port", str(port)], env=env, stderr=subprocess.DEVNULL)
    try:
        wait_ready(public_url, serve)
        with httpx.Client(base_url=public_url, timeout=15) as client:
            headers = sign_in(client, public_url)
            ordered = client.post(
                "/api/v1/subscriptions",
                json={"plan_id": "pro-monthly", "provider": "lnbits"},
                headers=headers,
            )
            assert ordered.status_code == 201, ordered.text
            payment = ordered.json()["payment"]
            assert payment["bolt11"].startswith("lnbc")
            assert (payment["amount"], payment["currency"], payment["status"]) == (21_000, "sat", "pending")

            lnbits.pay(payer, payment["bolt11"])

            deadline = time.monotonic() + SETTLE_LIMIT
            while True:
                seen = client.get(f"/api/v1/payments/{payment['id']}", headers=headers).json()
                if seen["status"] != "pending" or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            assert seen["status"] == "paid"
            receipt = client.get(f"/api/v1/payments/{payment['id']}/receipt", headers=headers).json()
            subscription = client.get("/api/v1/subscriptions/me", headers=headers).json()
    finally:
        serve.terminate()
        serve.wait(timeout=30)

    assert receipt["receipt_number"].startswith("NID-")
    assert (receipt["amount"], receipt["currency"]) == (21_000, "sat")
    assert subscription["status"] == "active"


def test_stopping_lnbits_leaves_none_of_its_processes_running(tmp_path: Path) -> None:
    running = start_lnbits(tmp_path / "data", tmp_path / "lnbits.log")
    try:
        started = descendants(running.process.pid)
        assert started, "LNbits serves from a child process of its own"
    finally:
        running.stop()

    assert [pid for pid in started if alive(pid)] == []
