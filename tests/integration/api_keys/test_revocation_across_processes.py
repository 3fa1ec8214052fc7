"""A revoked API key is refused by every process within one second (Redis and PostgreSQL)."""

import asyncio
import sys

import pytest
from dependency_injector import providers

from adapters.cache.redis_cache import RedisCache
from adapters.postgres.unit_of_work import PostgresUnitOfWork
from bootstrap.container import Container
from bootstrap.settings import Settings
from domain.audit.entries import NO_ORIGIN
from domain.auth.principal import CredentialKind, Principal
from tests import builders
from tests.integration.postgres.support import committed

pytestmark = pytest.mark.integration

WORKER = [sys.executable, "-m", "tests.support.api_key_worker"]
LIMIT = 60.0


async def _ask(worker: asyncio.subprocess.Process) -> str:
    worker.stdin.write(b"check\n")
    await worker.stdin.drain()
    return (await asyncio.wait_for(worker.stdout.readline(), LIMIT)).decode().strip()


async def test_k1_a_key_revoked_in_one_process_is_refused_by_another_within_one_second(
    postgres_dsn, postgres_pool, redis_url, redis_namespace
):
    container = Container(
        settings=Settings(environment="test", database_url=postgres_dsn, redis_url=redis_url)
    )
    container.cache.override(providers.Singleton(RedisCache.from_url, redis_url, namespace=redis_namespace))
    await container.db_pool().open(wait=True, timeout=10)
    user = builders.user()
    await committed(lambda: PostgresUnitOfWork(postgres_pool), user)
    owner = Principal(user_id=user.id, pubkey=user.pubkey, role=user.role, credential=CredentialKind.BEARER)
    issued = await container.api_keys.create_api_key()(owner, "crawler", ["wot:read"], NO_ORIGIN)
    worker = await asyncio.create_subprocess_exec(
        *WORKER,
        postgres_dsn,
        redis_url,
        redis_namespace,
        issued.key,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert (await asyncio.wait_for(worker.stdout.readline(), LIMIT)).strip() == b"ready"
        # The other process now holds the verdict in its own memory.
        assert await _ask(worker) == "accepted"
        assert await _ask(worker) == "accepted"

        await container.api_keys.revoke_api_key()(owner, issued.api_key.id, NO_ORIGIN)
        await asyncio.sleep(1.0)

        assert await _ask(worker) == "refused"
    finally:
        worker.kill()
        await worker.wait()
        await container.db_pool().close()
        await container.cache().close()
