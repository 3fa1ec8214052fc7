"""Metered usage through a Redis restart without persistence (promise F2): the uses counted while
Redis is down and after it came back are all recorded, and of those counted before it went down at
most one flush interval's worth (plus the time one flush takes) is lost. Redis is a server of the
test's own, killed and started again empty on the same port."""

import asyncio
import time
from collections.abc import Iterator
from datetime import date, timedelta
from uuid import UUID

import pytest
from psycopg_pool import AsyncConnectionPool

from adapters.postgres.unit_of_work import PostgresUnitOfWork
from domain.nostr.signing import generate_secret_key, public_key_of
from tests.fixtures.auth import Api
from tests.support.redis_server import RedisServer

pytestmark = pytest.mark.integration

HANG_GUARD = 30
FLUSH_INTERVAL = 1
# The stated bound: one flush interval, plus the time one flush takes (well under a second).
LOSS_WINDOW = FLUSH_INTERVAL + 1.0


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def api_settings_env(api_settings_env: dict[str, str], redis_server: RedisServer) -> dict[str, str]:
    return {**api_settings_env, "REDIS_URL": redis_server.url, "USAGE_FLUSH_INTERVAL": str(FLUSH_INTERVAL)}


async def recorded(pool: AsyncConnectionPool, key_id: UUID) -> dict[date, int]:
    async with PostgresUnitOfWork(pool) as uow:
        usages = await uow.api_key_usage.list_for_key(key_id, date(2000, 1, 1), date(2100, 1, 1))
    totals: dict[date, int] = {}
    for usage in usages:
        totals[usage.day] = totals.get(usage.day, 0) + usage.count
    return totals


async def test_f2_a_redis_restart_loses_at_most_one_flush_interval_of_usage(
    api: Api, redis_server: RedisServer, postgres_pool: AsyncConnectionPool
) -> None:
    alice = await api.sign_in()
    created = await api.client.post(
        "/api/v1/api-keys", json={"name": "crawler", "scopes": ["wot:read"]}, headers=alice.headers
    )
    assert created.status_code == 201, created.text
    key_id, key = UUID(created.json()["id"]), {"X-API-Key": created.json()["key"]}

    async def read() -> float:
        """One keyed read (answered, or refused over the plan's rate: metered alike); when."""
        answer = await api.client.get(f"/api/v1/wot/{public_key_of(generate_secret_key())}", headers=key)
        assert answer.status_code in (200, 429), answer.text
        return time.monotonic()

    before_day = api.clock.now().date()
    before = []
    started = time.monotonic()
    while time.monotonic() - started < 3 * FLUSH_INTERVAL:
        before.append(await read())
    redis_server.stop()
    went_down = time.monotonic()
    # The uses from here on are counted on the next day, so they are told apart from the others.
    api.clock.advance(timedelta(days=1))
    after_day = api.clock.now().date()
    after = [await read() for _ in range(20)]
    redis_server.start()
    after += [await read() for _ in range(20)]
    async with asyncio.timeout(HANG_GUARD):  # the app's own flusher adds them
        while (await recorded(postgres_pool, key_id)).get(after_day, 0) < len(after):  # noqa: ASYNC110 - another loop flushes
            await asyncio.sleep(0.1)

    totals = await recorded(postgres_pool, key_id)
    lost = len(before) - totals.get(before_day, 0)
    answered_in_window = sum(1 for at in before if at > went_down - LOSS_WINDOW)
    assert totals[after_day] == len(after)
    assert 0 <= lost <= answered_in_window < len(before)
