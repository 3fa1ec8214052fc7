"""Relays that never answer (promises W1, T5): a score is refused within the request deadline from
the settings, measured around the request under a hard guard, not only bounded by pytest's timeout:
on a cold process (the trust neighbourhood cannot be read) and on a warm one (the neighbourhood is
known, the pubkey's own reads never end)."""

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from adapters.http.app import create_app
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event
from tests.support.app import client_for, container_for_tests, settings_for_tests, started
from tests.support.hostile_relay import hostile_relay
from tests.support.relay_client import publish_raw
from tests.support.relay_proxy import RelayProxy

pytestmark = pytest.mark.integration

DEADLINE = 1.0


@pytest.fixture
def silent_relay() -> Iterator[tuple[str, str]]:
    yield from hostile_relay("silent")


async def test_t5_w1_a_score_from_a_silent_relay_is_refused_within_the_request_deadline(
    silent_relay: tuple[str, str], tmp_path: Path
) -> None:
    url, _ = silent_relay
    seed = public_key_of(generate_secret_key())
    settings = settings_for_tests(
        tmp_path, relay_urls=(url,), wot_seeds=(seed,), wot_request_deadline=DEADLINE
    )
    bound = settings.wot_request_deadline
    async with client_for(container_for_tests(settings)) as client:
        for _ in range(2):  # a cold process, then one whose connection to the relay is open
            started = time.monotonic()
            async with asyncio.timeout(bound * 2):
                answer = await client.get(f"/api/v1/wot/{public_key_of(generate_secret_key())}")
            elapsed = time.monotonic() - started

            assert answer.status_code == 503
            assert int(answer.headers["retry-after"]) >= 1
            assert elapsed <= bound * 1.5


async def test_t5_w1_a_single_score_whose_reads_never_end_is_refused_within_the_request_deadline(
    relay_url: str, tmp_path: Path
) -> None:
    seed_key, known_key = generate_secret_key(), generate_secret_key()
    seed, known = public_key_of(seed_key), public_key_of(known_key)
    now = int(time.time())
    await publish_raw(
        relay_url,
        [
            sign_event(seed_key, kind=3, tags=[["p", known]], content="", created_at=now),
            sign_event(known_key, kind=3, tags=[["p", seed]], content="", created_at=now),
        ],
    )
    proxy = await RelayProxy(relay_url).start()
    settings = settings_for_tests(
        tmp_path, relay_urls=(proxy.url,), wot_seeds=(seed,), wot_request_deadline=DEADLINE
    )
    bound = settings.wot_request_deadline
    container = container_for_tests(settings)
    try:
        async with started(container):
            transport = httpx.ASGITransport(app=create_app(container))
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                async with asyncio.timeout(30):
                    warm = await client.get(f"/api/v1/wot/{known}")
                assert warm.status_code == 200, warm.text  # the neighbourhood is known from now on
                proxy.drop_eose = True

                started_at = time.monotonic()
                async with asyncio.timeout(bound * 2):
                    answer = await client.get(f"/api/v1/wot/{public_key_of(generate_secret_key())}")
                elapsed = time.monotonic() - started_at
    finally:
        await proxy.stop()

    assert answer.status_code == 503
    assert int(answer.headers["retry-after"]) >= 1
    assert elapsed <= bound * 1.5
