"""A relay that goes away and comes back (promise F3): while it is down the breaker tries it again
after about a second and then less often; once it is back, scores answer again within 3 s. The
relay is a real process, stopped and restarted on the same port with its data kept."""

import asyncio
import time
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from prometheus_client.parser import text_string_to_metric_families

from domain.nostr.signing import generate_secret_key, public_key_of, sign_event
from tests.fixtures.relay import RelayProcess
from tests.support.app import client_for, container_for_tests, settings_for_tests
from tests.support.relay_client import publish_raw

pytestmark = pytest.mark.integration

HANG_GUARD = 60
# Long enough for a reconnecting socket to back off well past 3 s were its wait not bounded.
DOWN_FOR = 8.0
# F3: WoT answers again within this many seconds of the relay's return.
BACK_WITHIN = 3.0


async def fresh_score(client: AsyncTestClient[Litestar]) -> int:
    answer = await client.get(f"/api/v1/wot/{public_key_of(generate_secret_key())}")
    if answer.status_code == 503:
        assert int(answer.headers["retry-after"]) >= 1
    return answer.status_code


async def cool_down(client: AsyncTestClient[Litestar], relay_url: str) -> float:
    text = (await client.get("/metrics")).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "nostr_relay_breaker_cool_down_seconds" and sample.labels["relay"] == relay_url:
                return sample.value
    return 0.0


async def test_f3_wot_answers_again_within_3_s_of_the_relays_return_and_backs_off_while_it_is_down(
    tmp_path: Path,
) -> None:
    relay = RelayProcess(data_dir=tmp_path / "relay").start()
    try:
        seed_key, known_key = generate_secret_key(), generate_secret_key()
        seed, known = public_key_of(seed_key), public_key_of(known_key)
        now = int(time.time())
        await publish_raw(
            relay.url,
            [
                sign_event(seed_key, kind=3, tags=[["p", known]], content="", created_at=now),
                sign_event(known_key, kind=3, tags=[["p", seed]], content="", created_at=now),
            ],
        )
        # The test asks far more often than one address may (the frozen clock never refills it).
        settings = settings_for_tests(
            tmp_path, relay_urls=(relay.url,), wot_seeds=(seed,), rate_limit_anonymous=1_000_000
        )
        async with client_for(container_for_tests(settings)) as client:
            async with asyncio.timeout(HANG_GUARD):
                warm = await client.get(f"/api/v1/wot/{known}")
                assert warm.status_code == 200, warm.text

                relay.stop()
                statuses, cool_downs = [], []
                went_down = time.monotonic()
                while time.monotonic() - went_down < DOWN_FOR:
                    statuses.append(await fresh_score(client))
                    cool_downs.append(await cool_down(client, relay.url))
                    await asyncio.sleep(0.2)

                relay.start()
                returned = time.monotonic()
                async with asyncio.timeout(BACK_WITHIN):
                    while await fresh_score(client) != 200:  # noqa: ASYNC110 - asking is the probe
                        await asyncio.sleep(0.05)
                back_after = time.monotonic() - returned
    finally:
        relay.stop()

    assert set(statuses) == {503}
    opened = [seconds for seconds in cool_downs if seconds > 0]
    assert opened[0] == pytest.approx(1.0)
    assert max(opened) > opened[0]
    assert back_after < BACK_WITHIN
