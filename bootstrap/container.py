"""The composition root: which adapter plays each port, and how use cases get them."""

import functools
from collections.abc import AsyncIterator

from dependency_injector import containers, providers
from prometheus_client import CollectorRegistry
from psycopg_pool import AsyncConnectionPool

from adapters.cache.memory_cache import MemoryCache
from adapters.cache.redis_cache import RedisCache
from adapters.postgres.pool import create_pool, ping
from adapters.postgres.unit_of_work import PostgresUnitOfWork
from adapters.relay.memory_relay import MemoryRelay
from adapters.relay.websocket_pool import WebsocketRelayPool
from application.check_readiness import CheckReadiness
from application.demo.seed_demo_graph import SeedDemoGraph
from application.wot.admission import ComputeAdmission
from application.wot.calculator import WotCalculator
from application.wot.compute_figures import ComputeWotFigures, ComputeWotFiguresBatch
from application.wot.neighbourhood_source import SharedNeighbourhood
from bootstrap.current_wot import CurrentWot, WotFactories
from bootstrap.keys import service_secret_key
from bootstrap.metrics import exposition_registry
from bootstrap.settings import Settings
from bootstrap.wot_settings import wot_settings as wot_settings_of
from domain.clock import SystemClock
from domain.ports.cache import Cache
from domain.ports.relay import RelayPort

READINESS_TIMEOUT = 2.0
RELAY_MAX_EVENTS = 250_000
RELAY_MAX_BYTES = 512 * 1024 * 1024
# Cold score computations running at once per process; more queue, or are refused at once when
# they could not start within the request deadline.
WOT_COLD_COMPUTATIONS = 64


def cache_kind(settings: Settings) -> str:
    return "redis" if settings.redis_url else "memory"


def relay_kind(settings: Settings) -> str:
    return "memory" if settings.relay_urls == ("memory://",) else "websocket"


async def open_pool(pool: AsyncConnectionPool) -> AsyncIterator[AsyncConnectionPool]:
    # wait=False: an unreachable database must not stop start-up; the pool keeps trying by itself.
    await pool.open(wait=False)
    yield pool
    await pool.close()


async def run_relay(relay: RelayPort) -> AsyncIterator[RelayPort]:
    start = getattr(relay, "start", None)
    if start is not None:
        await start()
    yield relay
    close = getattr(relay, "close", None)
    if close is not None:
        await close()


async def close_cache(cache: Cache) -> AsyncIterator[Cache]:
    yield cache
    await cache.close()


def database_probe(pool: AsyncConnectionPool) -> functools.partial[object]:
    return functools.partial(ping, pool, READINESS_TIMEOUT)


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    clock = providers.Singleton(SystemClock)
    metrics_registry = providers.Singleton(CollectorRegistry)
    # What /metrics shows: this registry, or every worker's values summed in multiprocess mode.
    metrics_exposition = providers.Singleton(
        exposition_registry, settings.provided.prometheus_multiproc_dir, metrics_registry
    )
    service_key = providers.Singleton(service_secret_key, settings)

    db_pool = providers.Singleton(create_pool, settings.provided.database_url)
    db_pool_lifecycle = providers.Resource(open_pool, db_pool)
    unit_of_work = providers.Factory(PostgresUnitOfWork, pool=db_pool)

    cache = providers.Selector(
        providers.Callable(cache_kind, settings),
        redis=providers.Singleton(RedisCache.from_url, settings.provided.redis_url),
        memory=providers.Singleton(MemoryCache, clock=clock),
    )
    cache_lifecycle = providers.Resource(close_cache, cache)

    relay = providers.Selector(
        providers.Callable(relay_kind, settings),
        websocket=providers.Singleton(
            WebsocketRelayPool,
            urls=settings.provided.relay_urls,
            service_secret_key=service_key,
            registry=metrics_registry,
            # Caps per relay per call: large enough for a trust neighbourhood's contact lists.
            max_events=RELAY_MAX_EVENTS,
            max_bytes=RELAY_MAX_BYTES,
        ),
        memory=providers.Singleton(MemoryRelay),
    )
    relay_lifecycle = providers.Resource(run_relay, relay)

    # Read afresh when called (the demo's seeds live in DATA_DIR/demo.json); override to fix them.
    wot_settings = providers.Callable(wot_settings_of, settings)
    wot_admission = providers.Singleton(ComputeAdmission, WOT_COLD_COMPUTATIONS)
    # How each Web of Trust class is built; CurrentWot gives the settings in force.
    make_wot_calculator = providers.Factory(WotCalculator, relay)
    make_wot_neighbourhood = providers.Factory(SharedNeighbourhood, cache=cache, clock=clock)
    make_compute_wot_figures = providers.Factory(
        ComputeWotFigures, cache=cache, clock=clock, admission=wot_admission
    )
    make_compute_wot_figures_batch = providers.Factory(ComputeWotFiguresBatch)
    wot_factories = providers.Singleton(
        WotFactories,
        calculator=make_wot_calculator.provider,
        neighbourhood=make_wot_neighbourhood.provider,
        figures=make_compute_wot_figures.provider,
        batch=make_compute_wot_figures_batch.provider,
    )
    # The use cases for the settings in force: rewired when `demo seed` records new seeds.
    current_wot = providers.Singleton(CurrentWot, settings, wot_settings.provider, wot_factories)
    wot_use_cases = providers.Callable(lambda current: current(), current_wot)
    wot_neighbourhood = providers.Callable(lambda wot: wot.neighbourhood, wot_use_cases)
    compute_wot_figures = providers.Callable(lambda wot: wot.figures, wot_use_cases)
    compute_wot_figures_batch = providers.Callable(lambda wot: wot.batch, wot_use_cases)

    seed_demo_graph = providers.Factory(SeedDemoGraph, relay, clock)

    check_readiness = providers.Factory(
        CheckReadiness,
        probes=providers.Dict(
            postgres=providers.Callable(database_probe, db_pool),
            cache=cache.provided.ping,
            relay=relay.provided.ping,
        ),
        timeout=READINESS_TIMEOUT,
    )


def describe(settings: Settings) -> dict[str, str]:
    """Which adapter plays each port, for the start-up log."""
    database = "postgres (embedded)" if "database" in settings.embedded else "postgres"
    cache = "redis" if cache_kind(settings) == "redis" else "memory (in-process)"
    relay = "memory (in-process)" if relay_kind(settings) == "memory" else "websocket pool"
    if "relay" in settings.embedded:
        relay += " to the embedded relay"
    return {"database": database, "cache": cache, "relay": f"{relay} {','.join(settings.relay_urls)}"}
