"""The trust seeds are settings resolved at start-up: a running service does not look at DATA_DIR per
request, and takes new seeds when `demo seed` tells it through the cache they share."""

import asyncio
from pathlib import Path

import httpx
import pytest

from adapters.cache.memory_cache import MemoryCache
from adapters.relay.memory_relay import MemoryRelay
from application.demo.graph import generate_demo_graph
from application.demo.seed_demo_graph import DemoSeeded
from bootstrap.cli import demo_seed
from bootstrap.wot_settings import remember_demo
from domain.shared.clock import FixedClock
from tests.support.app import container_for_tests, settings_for_tests, started
from tests.unit.wot.test_serving import in_loop
from tests.unit.wot.world import NOW

# The service checks for news once a second; this guard is well above that.
GUARD = 10.0


async def depth(client: httpx.AsyncClient, pubkey: str) -> object:
    return (await client.get(f"/api/v1/wot/{pubkey}")).json()["wot_depth"]


async def test_a_running_service_takes_new_seeds_when_demo_seed_tells_it_not_when_the_file_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = FixedClock(NOW)
    relay, cache = MemoryRelay(), MemoryCache(clock)
    settings = settings_for_tests(tmp_path)
    # Two processes sharing the relay and the cache (Redis, in production): the service and the command.
    service = container_for_tests(settings, relay=relay, cache=cache, clock=clock)
    command = container_for_tests(settings, relay=relay, cache=cache, clock=clock)
    graph = generate_demo_graph(80, 4, int(NOW.timestamp()))
    demo_seed_pubkey = graph.pubkeys[graph.seeds[0]]

    async with started(service), in_loop(service) as client:
        before = await depth(client, demo_seed_pubkey)
        # A record written under DATA_DIR without telling anyone is not read by a running service.
        remember_demo(
            tmp_path, DemoSeeded([demo_seed_pubkey], 80, 4, 0, 0, demo_seed_pubkey, demo_seed_pubkey)
        )
        untold = await depth(client, demo_seed_pubkey)
        assert await demo_seed(command, users=80, seed=4) == 0
        async with asyncio.timeout(GUARD):
            while (told := await depth(client, demo_seed_pubkey)) != 0:  # noqa: ASYNC110 - another process tells
                await asyncio.sleep(0.05)

    capsys.readouterr()
    assert (before, untold, told) == (None, None, 0)
