"""`nostr-id jobs run`'s work against the real PostgreSQL and Redis: API-key uses counted in the cache
are flushed into usage, and expired sign-in challenges and LNURL sessions are deleted."""

from datetime import timedelta

import psycopg
import pytest
from dependency_injector import providers

from bootstrap.container import Container
from bootstrap.job_commands import run_jobs
from bootstrap.settings import load_settings
from domain.auth.challenges import AuthChallenge
from domain.auth.lnurl import LnurlAction, LnurlSession
from domain.shared.clock import FixedClock
from tests import builders

pytestmark = pytest.mark.integration
NOW = builders.NOW


@pytest.fixture
async def container(postgres_dsn, redis_cache):
    container = Container(settings=load_settings({"DATABASE_URL": postgres_dsn, "RELAY_URLS": "memory://"}))
    container.cache.override(providers.Object(redis_cache))
    container.clock.override(providers.Object(FixedClock(NOW)))
    # What `nostr-id jobs run` starts: the database pool and the cache.
    resources = (container.db_pool_lifecycle, container.cache_lifecycle)
    for resource in resources:
        await resource.init()
    yield container
    for resource in reversed(resources):
        await resource.shutdown()


async def _count(dsn: str, table: str, column: str, value: str) -> int:
    async with await psycopg.AsyncConnection.connect(dsn) as connection:
        cursor = await connection.execute(f"SELECT count(*) FROM {table} WHERE {column} = %s", (value,))
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


async def test_jobs_run_flushes_api_key_usage_counted_in_the_cache(container, capsys):
    user = builders.user()
    key = builders.api_key(user.id)
    async with container.unit_of_work() as uow:
        await uow.users.add(user)
        await uow.api_keys.add(key)
        await uow.commit()
    meter = container.api_keys.meter_api_key_use()
    for status in (200, 200, 404):
        await meter(key.id, "/api/v1/wot/score", status)

    assert await run_jobs(container) == 0

    async with container.unit_of_work() as uow:
        usage = await uow.api_key_usage.list_for_key(key.id, NOW.date(), NOW.date())
    assert sorted((u.status_class, u.count) for u in usage) == [("2xx", 2), ("4xx", 1)]
    assert "api keys: uses flushed into usage: " in capsys.readouterr().out


async def test_jobs_run_deletes_expired_challenges_and_lnurl_sessions_and_keeps_live_ones(
    container, postgres_dsn
):
    expired_challenge = AuthChallenge.issue(NOW - timedelta(minutes=10), timedelta(minutes=5))
    live_challenge = AuthChallenge.issue(NOW, timedelta(minutes=5))
    expired_session = LnurlSession.start(
        LnurlAction.LOGIN, NOW - timedelta(minutes=10), timedelta(minutes=5)
    )[0]
    live_session = LnurlSession.start(LnurlAction.LOGIN, NOW, timedelta(minutes=5))[0]
    async with container.unit_of_work() as uow:
        for challenge in (expired_challenge, live_challenge):
            await uow.auth_challenges.add(challenge)
        for session in (expired_session, live_session):
            await uow.lnurl_sessions.add(session)
        await uow.commit()

    assert await run_jobs(container) == 0

    challenges = [
        await _count(postgres_dsn, "auth_challenges", "challenge", c.challenge)
        for c in (expired_challenge, live_challenge)
    ]
    assert challenges == [0, 1]
    async with container.unit_of_work() as uow:
        assert await uow.lnurl_sessions.get_by_k1(expired_session.k1) is None
        assert await uow.lnurl_sessions.get_by_k1(live_session.k1) is not None
