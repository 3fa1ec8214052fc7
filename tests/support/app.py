"""The one way tests build the service: settings, `Container(settings=...)` with overrides, `create_app`.

    settings = settings_for_tests(tmp_path, wot_seeds=(seed,))
    container = container_for_tests(settings, relay=MemoryRelay(events), store=MemoryStore())
    async with client_for(container) as client:
        response = await client.get("/health/live")

Every override is a provider override on the real container, so what a test reaches through the app
(the dependency bridge, middleware, problem mapping) is what `nostr-id serve` runs. The pytest
fixtures in tests/fixtures/app.py wrap these helpers for the common case.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dependency_injector import providers
from litestar import Litestar
from litestar.testing import AsyncTestClient

from adapters.cache.memory_cache import MemoryCache
from adapters.relay.memory_relay import MemoryRelay
from bootstrap.container import Container
from bootstrap.http_app import app_of
from bootstrap.settings import Settings
from domain.shared.clock import Clock, FixedClock
from tests.fakes.unit_of_work import FakeUnitOfWork, MemoryStore

# A fixed service key, so the default trust seed is the same in every run.
TEST_SERVICE_NSEC = "0000000000000000000000000000000000000000000000000000000000000003"
TEST_JWT_SECRET = "test-jwt-secret-of-at-least-32-bytes!"
FROZEN_AT = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def settings_for_tests(data_dir: Path, **values: Any) -> Settings:
    """Settings of the `test` environment: the in-process relay and cache, no database unless given.

    `data_dir` is the test's own directory (pytest's `tmp_path`), so no demo record of a developer's
    `.data` leaks into the seeds. Any Settings field can be given by name.
    """
    defaults: dict[str, Any] = {
        "environment": "test",
        "relay_urls": ("memory://",),
        "jwt_secret": TEST_JWT_SECRET,
        "service_nsec": TEST_SERVICE_NSEC,
        "data_dir": data_dir,
    }
    return Settings(**(defaults | values))


def container_for_tests(
    settings: Settings,
    *,
    clock: Clock | None = None,
    relay: Any = None,
    cache: Any = None,
    store: MemoryStore | None = None,
    **overrides: Any,
) -> Container:
    """The service's container with the test's adapters swapped in by provider override.

    By default the clock is frozen at FROZEN_AT, the cache is a MemoryCache on that clock, and the
    relay is a fresh MemoryRelay (or the real pool when `settings.relay_urls` names a relay). With a
    `store`, every unit of work is the memory one on that store (the service entirely on fakes);
    without it and without `settings.database_url` the database pool is never opened. Any other
    provider, of the root or of a feature, is overridden by its name:
    `container_for_tests(settings, wot_settings=WotSettings(...))` overrides `container.wot.wot_settings`.
    """
    container = Container(settings=settings)
    frozen = clock if clock is not None else FixedClock(FROZEN_AT)
    container.clock.override(providers.Object(frozen))
    container.cache.override(providers.Object(cache if cache is not None else MemoryCache(frozen)))
    if relay is not None:
        container.relay.override(providers.Object(relay))
    elif settings.relay_urls == ("memory://",):
        container.relay.override(providers.Object(MemoryRelay()))
    if store is not None:
        container.unit_of_work.override(providers.Factory(FakeUnitOfWork, store))
    if settings.database_url is None:
        container.db_pool_lifecycle.override(providers.Object(None))
    for name, value in overrides.items():
        provider = provider_named(container, name)
        provider.override(value if isinstance(value, providers.Provider) else providers.Object(value))
    return container


def provider_named(container: Container, name: str) -> providers.Provider[Any]:
    """The root's provider of that name, else the one feature provider of that name."""
    if isinstance(found := container.providers.get(name), providers.Provider):
        return found
    features = [p.container for p in container.providers.values() if isinstance(p, providers.Container)]
    (found,) = [
        feature.providers[name]
        for feature in features
        if not isinstance(feature.providers.get(name, providers.Dependency()), providers.Dependency)
    ]
    return found


@asynccontextmanager
async def client_for(container: Container) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """An HTTP client on the container's app (`app_of(container)`), with the app's lifespan run around it."""
    async with AsyncTestClient(app_of(container)) as client:
        yield client


@asynccontextmanager
async def started(container: Container) -> AsyncIterator[Container]:
    """The container's resources (database pool, relay, cache) started, as the app's lifespan does."""
    await container.init_resources()  # type: ignore[misc]
    try:
        yield container
    finally:
        await container.shutdown_resources()  # type: ignore[misc]
