"""The HTTP app the WoT benchmark serves: the WoT controller over the websocket pool and the memory cache.

Served by granian as `bench.wot_app:create_bench_app` (factory); reads BENCH_RELAY_URL and BENCH_WOT_SEEDS.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.di import Provide

from adapters.cache.memory_cache import MemoryCache
from adapters.http.wot import WotController
from adapters.relay.websocket_pool import WebsocketRelayPool
from application.wot.calculator import WotCalculator
from application.wot.compute_figures import ComputeWotFigures, ComputeWotFiguresBatch
from application.wot.neighbourhood_source import SharedNeighbourhood
from domain.clock import SystemClock
from domain.wot.settings import WotSettings


def create_bench_app() -> Litestar:
    relay = WebsocketRelayPool(urls=(os.environ["BENCH_RELAY_URL"],))
    settings = WotSettings(seeds=tuple(os.environ["BENCH_WOT_SEEDS"].split(",")), build_deadline=600)
    clock = SystemClock()
    cache = MemoryCache(clock)
    calculator = WotCalculator(relay, settings)
    neighbourhood = SharedNeighbourhood(calculator, cache, clock, settings)
    compute = ComputeWotFigures(calculator, neighbourhood, cache, clock, settings)
    batch = ComputeWotFiguresBatch(compute)

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        await relay.start()
        yield
        await relay.close()

    return Litestar(
        route_handlers=[WotController],
        dependencies={
            "compute_wot_figures": Provide(lambda: compute, sync_to_thread=False),
            "compute_wot_figures_batch": Provide(lambda: batch, sync_to_thread=False),
        },
        lifespan=[lifespan],
    )
