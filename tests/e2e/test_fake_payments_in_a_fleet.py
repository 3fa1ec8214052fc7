"""The fake payment provider in a fleet: two `nostr-id serve` processes on one PostgreSQL and one
Redis (a server of the test's own). An invoice made by one process is settled through the other, and
the fake's signed webhook, delivered to PUBLIC_URL, credits it; a signed webhook delivered twice to
each process at once credits once (promise P2)."""

import asyncio
import os
import secrets
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import httpx
import pytest

from adapters.cache.redis_cache import RedisCache
from adapters.payments.fake import FakePaymentProvider
from client import NostrIdClient
from domain.shared.clock import SystemClock
from tests.support.redis_server import RedisServer
from tests.support.serve import CLI, wait_ready
from tests.support.tcp_proxy import free_port

WEBHOOK_SECRET = secrets.token_hex(32)
DELIVERIES_PER_PROCESS = 2


class Fleet:
    def __init__(self, urls: list[str], logs: list[Path], redis_url: str) -> None:
        self.urls = urls
        self.logs = logs
        self.redis_url = redis_url


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def fleet(
    postgres_dsn: str, redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Fleet]:
    ports = [free_port(), free_port()]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    shared = {
        **os.environ,
        "DATABASE_URL": postgres_dsn,
        "REDIS_URL": redis_server.url,
        "RELAY_URLS": "memory://",
        # The first process stands for the balancer: every webhook goes there.
        "PUBLIC_URL": urls[0],
        "JWT_SECRET": secrets.token_hex(32),
        "SERVICE_NSEC": secrets.token_hex(32),
        "FAKE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "LOG_LEVEL": "INFO",
        "RATE_LIMIT_SIGN_IN": "1000",
    }
    logs, processes = [], []
    try:
        for port in ports:
            directory = tmp_path_factory.mktemp(f"serve-{port}")
            log = directory / "serve.log"
            logs.append(log)
            with log.open("w") as out:
                processes.append(
                    subprocess.Popen(
                        [*CLI, "serve", "--port", str(port)],
                        env={**shared, "DATA_DIR": str(directory)},
                        stdout=out,
                        stderr=out,
                    )
                )
        for url, process in zip(urls, processes, strict=True):
            wait_ready(url, process)
        yield Fleet(urls, logs, redis_server.url)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def signed_in(fleet: Fleet, index: int, secret_key: str) -> NostrIdClient:
    """A client of process `index`, signed in (through that process) as `secret_key`'s owner."""
    api = NostrIdClient(fleet.urls[index], public_url=fleet.urls[0])
    tokens = api.sign_in_with_nostr(secret_key)
    return api.with_bearer(tokens.access_token)


def invoice_of(payment_id: str) -> str:
    return f"fake_{UUID(payment_id).hex}"


def test_an_invoice_made_by_one_process_is_settled_through_the_other_by_the_signed_webhook(
    fleet: Fleet,
) -> None:
    secret_key = secrets.token_hex(32)
    first, second = signed_in(fleet, 0, secret_key), signed_in(fleet, 1, secret_key)

    checkout = first.subscribe("pro-monthly", "fake")
    settled = second.fake_settle(checkout.payment.id)

    assert settled.status == "paid"
    assert first.payment(checkout.payment.id).status == "paid"
    assert first.receipt(checkout.payment.id).receipt_number.startswith("NID-")
    assert first.my_subscription().status == "active"
    received = [line for line in fleet.logs[0].read_text().splitlines() if "/api/v1/webhooks/fake" in line]
    assert len(received) == 1 and " 200 " in received[0]


async def test_p2_a_signed_webhook_delivered_twice_to_each_process_at_once_credits_once(fleet: Fleet) -> None:
    buyer = signed_in(fleet, 1, secret_key=secrets.token_hex(32))
    checkout = buyer.subscribe("pro-monthly", "fake")
    invoice_id = invoice_of(checkout.payment.id)
    cache = RedisCache.from_url(fleet.redis_url, socket_timeout=5.0)
    provider = FakePaymentProvider(SystemClock(), cache, webhook_secret=WEBHOOK_SECRET)
    try:
        await provider.settle(invoice_id)  # paid at the provider; the webhook is the test's to send
    finally:
        await cache.close()
    body = f'{{"event_id": "evt_{secrets.token_hex(8)}", "invoice_id": "{invoice_id}"}}'.encode()
    headers = {**provider.sign(body), "Content-Type": "application/json"}

    async with httpx.AsyncClient(timeout=30) as client:
        answers = await asyncio.gather(
            *(
                client.post(f"{url}/api/v1/webhooks/fake", content=body, headers=headers)
                for url in fleet.urls
                for _ in range(DELIVERIES_PER_PROCESS)
            )
        )
        forged = await client.post(
            f"{fleet.urls[1]}/api/v1/webhooks/fake",
            content=body,
            headers={"Fake-Sig": "sha256=" + "0" * 64, "Content-Type": "application/json"},
        )

    assert [answer.status_code for answer in answers] == [200] * len(fleet.urls) * DELIVERIES_PER_PROCESS
    assert forged.status_code == 400
    payment = buyer.payment(checkout.payment.id)
    subscription = buyer.my_subscription()
    assert payment.status == "paid" and payment.paid_at is not None
    assert subscription.expires_at == payment.paid_at + timedelta(days=30)
