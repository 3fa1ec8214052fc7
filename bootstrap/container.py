"""The composition root: the shared infrastructure (which adapter plays each port) and one
container per feature (`bootstrap/wiring/`), composed the way dependency-injector's decoupled
packages are."""

import functools
from collections.abc import AsyncIterator

from dependency_injector import containers, providers
from prometheus_client import CollectorRegistry
from psycopg_pool import AsyncConnectionPool

from adapters.cache.memory_cache import MemoryCache
from adapters.cache.redis_cache import RedisCache
from adapters.postgres.notifying_cache import PostgresNotifyingCache
from adapters.postgres.pool import create_pool, ping
from adapters.postgres.schema_version import PostgresSchemaVersion
from adapters.postgres.unit_of_work import PostgresUnitOfWork
from adapters.relay.config import MIB, RelayLimits
from adapters.relay.memory_relay import MemoryRelay
from adapters.relay.websocket_pool import WebsocketRelayPool
from application.check_readiness import CheckReadiness
from application.jobs import ListJobRuns, RecordJobRun
from application.verdicts import Verdicts, is_invalidation_key
from bootstrap import zaps as zap_wiring
from bootstrap.drain import DrainState
from bootstrap.job_metrics import JobRunCollector, refresh_job_runs
from bootstrap.keys import csrf_secret as csrf_secret_of
from bootstrap.keys import service_secret_key
from bootstrap.metering import UsageFlushMetrics, run_usage_flusher
from bootstrap.metrics import exposition_registry
from bootstrap.settings import Settings
from bootstrap.wiring.admin import AdminContainer
from bootstrap.wiring.api_keys import ApiKeysContainer
from bootstrap.wiring.auth import AuthContainer
from bootstrap.wiring.billing import BillingContainer
from bootstrap.wiring.key_rotation import KeyRotationContainer
from bootstrap.wiring.names import NamesContainer
from bootstrap.wiring.reminders import RemindersContainer
from bootstrap.wiring.wot import WotContainer
from bootstrap.wiring.zaps import ZapsContainer
from bootstrap.wot_reload import CHECK_EVERY, watch_wot_seeds
from domain.billing.plans import PlanCatalog
from domain.nostr.ports import RelayPort
from domain.shared.cache import Cache
from domain.shared.clock import SystemClock

READINESS_TIMEOUT = 2.0
# Caps per relay per call: large enough for a trust neighbourhood's contact lists.
RELAY_LIMITS = RelayLimits(max_events=250_000, max_bytes=512 * MIB)


def cache_kind(settings: Settings) -> str:
    """Redis when configured; else the in-process cache, whose invalidations reach the other
    processes through PostgreSQL when there is a database (a command without one is alone)."""
    if settings.redis_url:
        return "redis"
    return "memory_notified" if settings.database_url else "memory"


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


async def run_cache(cache: Cache) -> AsyncIterator[Cache]:
    """Starts the cache when it has something to start (listening for other processes' changes)."""
    start = getattr(cache, "start", None)
    if start is not None:
        await start()
    yield cache
    await cache.close()


def database_probe(pool: AsyncConnectionPool) -> functools.partial[object]:
    return functools.partial(ping, pool, READINESS_TIMEOUT)


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    clock = providers.Singleton(SystemClock)
    metrics_registry = providers.Singleton(CollectorRegistry)
    # Periodic jobs' outcomes, recorded by `nostr-id jobs run` in PostgreSQL (bootstrap/job_metrics.py).
    job_run_collector = providers.Singleton(JobRunCollector)
    # What /metrics shows: this registry, or every worker's values summed in multiprocess mode, and
    # the jobs' outcomes.
    metrics_exposition = providers.Singleton(
        exposition_registry, settings.provided.prometheus_multiproc_dir, metrics_registry, job_run_collector
    )
    service_key = providers.Singleton(service_secret_key, settings)
    public_url = providers.Callable(lambda settings: settings.public_url, settings)
    csrf_secret = providers.Singleton(csrf_secret_of, settings, service_key)

    db_pool = providers.Singleton(create_pool, settings.provided.database_url)
    db_pool_lifecycle = providers.Resource(open_pool, db_pool)
    # The one unit of work: every use case gets this provider as its factory, so overriding it
    # swaps the transactions of all of them.
    unit_of_work = providers.Factory(PostgresUnitOfWork, pool=db_pool)

    cache = providers.Selector(
        providers.Callable(cache_kind, settings),
        redis=providers.Singleton(RedisCache.from_url, settings.provided.redis_url),
        memory=providers.Singleton(MemoryCache, clock=clock),
        memory_notified=providers.Singleton(
            PostgresNotifyingCache,
            local=providers.Singleton(MemoryCache, clock=clock),
            pool=db_pool,
            dsn=settings.provided.database_url,
            is_invalidation_key=providers.Object(is_invalidation_key),
        ),
    )
    cache_lifecycle = providers.Resource(run_cache, cache)

    relay = providers.Selector(
        providers.Callable(relay_kind, settings),
        websocket=providers.Singleton(
            WebsocketRelayPool,
            urls=settings.provided.relay_urls,
            service_secret_key=service_key,
            registry=metrics_registry,
            limits=RELAY_LIMITS,
        ),
        memory=providers.Singleton(MemoryRelay),
    )
    relay_lifecycle = providers.Resource(run_relay, relay)

    # Ready answers to hot questions (sessions, API keys, names), shared through the cache; a
    # Singleton, so each process keeps its in-process answers (see docs/architecture.md).
    verdicts = providers.Singleton(Verdicts, cache)
    plan_catalog = providers.Singleton(PlanCatalog, settings.provided.billing_plans)

    # Whether `nostr-id serve` is draining before it stops (bootstrap/drain.py): readiness says so.
    drain_state = providers.Singleton(DrainState, settings.provided.data_dir)
    # Which of this version's migrations the database lacks (the readiness check "schema").
    schema_version = providers.Singleton(PostgresSchemaVersion, db_pool, timeout=READINESS_TIMEOUT)
    check_readiness = providers.Factory(
        CheckReadiness,
        probes=providers.Dict(
            postgres=providers.Callable(database_probe, db_pool),
            cache=cache.provided.ping,
            relay=relay.provided.ping,
        ),
        timeout=READINESS_TIMEOUT,
        schema=schema_version,
        draining=drain_state.provided.draining,
    )

    wot = providers.Container(
        WotContainer,
        settings=settings,
        relay=relay,
        cache=cache,
        clock=clock,
        service_key=service_key,
        unit_of_work=unit_of_work,
    )
    api_keys = providers.Container(
        ApiKeysContainer,
        settings=settings,
        cache=cache,
        clock=clock,
        unit_of_work=unit_of_work,
        verdicts=verdicts,
        plan_catalog=plan_catalog,
    )
    auth = providers.Container(
        AuthContainer,
        settings=settings,
        service_key=service_key,
        cache=cache,
        clock=clock,
        unit_of_work=unit_of_work,
        verdicts=verdicts,
        public_url=public_url,
        api_key_verifier=api_keys.api_key_verifier,
    )
    names = providers.Container(
        NamesContainer,
        settings=settings,
        clock=clock,
        unit_of_work=unit_of_work,
        verdicts=verdicts,
        plan_catalog=plan_catalog,
    )
    billing = providers.Container(
        BillingContainer,
        settings=settings,
        cache=cache,
        clock=clock,
        unit_of_work=unit_of_work,
        plan_catalog=plan_catalog,
        compute_wot_figures=wot.compute_wot_figures,
        api_key_plan_changes=api_keys.api_key_plan_changes,
        name_changes=names.nostr_json_directory,
    )
    admin = providers.Container(
        AdminContainer,
        clock=clock,
        unit_of_work=unit_of_work,
        auth_verdicts=auth.auth_verdicts,
        nostr_json_directory=names.nostr_json_directory,
    )

    zaps = providers.Container(
        ZapsContainer,
        settings=settings,
        service_key=service_key,
        clock=clock,
        relay=relay,
        unit_of_work=unit_of_work,
        metrics_registry=metrics_registry,
        nostr_json_directory=names.nostr_json_directory,
        limit_rate=api_keys.limit_rate,
    )
    reminders = providers.Container(
        RemindersContainer,
        settings=settings,
        service_key=service_key,
        clock=clock,
        relay=relay,
        unit_of_work=unit_of_work,
    )
    key_rotation = providers.Container(
        KeyRotationContainer,
        clock=clock,
        unit_of_work=unit_of_work,
        auth_verdicts=auth.auth_verdicts,
        name_changes=names.nostr_json_directory,
        public_url=public_url,
        send_direct_message=reminders.send_direct_message,
    )

    # Each periodic job's outcome, recorded by `nostr-id jobs run` and read back for /metrics.
    record_job_run = providers.Factory(RecordJobRun, unit_of_work.provider, clock)
    list_job_runs = providers.Factory(ListJobRuns, unit_of_work.provider)
    job_runs_refresher = providers.Resource(
        refresh_job_runs, job_run_collector, list_job_runs.provider, db_pool_lifecycle
    )
    # Counted API key use is flushed every USAGE_FLUSH_INTERVAL and once at shutdown, before the
    # cache and the pool close.
    usage_flusher = providers.Resource(
        run_usage_flusher,
        api_keys.flush_api_key_usage.provider,
        settings.provided.usage_flush_interval,
        providers.Singleton(UsageFlushMetrics, metrics_registry, api_keys.held_api_key_usage),
        cache_lifecycle,
        db_pool_lifecycle,
    )
    # Looks pending zap invoices up every few seconds while the app runs, and publishes the receipts.
    zap_watcher = providers.Resource(
        zap_wiring.run_zap_watcher,
        zaps.watch_zap_invoices.provider,
        zaps.payment_listeners.provider,
        zap_wiring.WATCH_INTERVAL,
        db_pool_lifecycle,
        relay_lifecycle,
    )
    # Reloads the trust seeds when `demo seed` says they changed (bootstrap/wot_reload.py).
    wot_seeds_watch = providers.Resource(
        watch_wot_seeds, cache.provider, wot.container, CHECK_EVERY, cache_lifecycle
    )


def describe(settings: Settings) -> dict[str, str]:
    """Which adapter plays each port, for the start-up log."""
    database = "postgres (embedded)" if "database" in settings.embedded else "postgres"
    cache = {
        "redis": "redis",
        "memory": "memory (in-process)",
        "memory_notified": "memory (in-process), changes heard through PostgreSQL",
    }[cache_kind(settings)]
    relay = "memory (in-process)" if relay_kind(settings) == "memory" else "websocket pool"
    if "relay" in settings.embedded:
        relay += " to the embedded relay"
    return {"database": database, "cache": cache, "relay": f"{relay} {','.join(settings.relay_urls)}"}
