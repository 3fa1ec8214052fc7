"""T4: a flood of names nobody holds costs no PostgreSQL query and leaves no cache entry per name."""

import asyncio
import secrets

import pytest
import redis.asyncio as redis

from tests.integration.names.support import DEFAULT_DOMAIN, add_user, names_container, serving
from tests.support.tcp_proxy import database_proxy, dsn_through

pytestmark = pytest.mark.integration
PATH = "/.well-known/nostr.json"
HANG_GUARD = 60


async def _keys(redis_url: str, namespace: str) -> set[bytes]:
    client = redis.Redis.from_url(redis_url)
    try:
        return {key async for key in client.scan_iter(match=f"{namespace}:*", count=1000)}
    finally:
        await client.aclose()


async def test_t4_unknown_names_and_hosts_reach_postgresql_zero_times_and_keep_no_cache_entry(
    postgres_dsn, redis_cache, redis_url, redis_namespace
):
    proxy = database_proxy(postgres_dsn)
    proxy.start()
    container = names_container(dsn_through(postgres_dsn, proxy.port), redis_cache)
    try:
        async with serving(container) as client, asyncio.timeout(HANG_GUARD):

            async def ask(name: str, host: str = DEFAULT_DOMAIN):  # type: ignore[no-untyped-def]
                return await client.get(PATH, params={"name": name}, headers={"host": host})

            user, known = await add_user(container), f"known-{secrets.token_hex(4)}"
            await container.names.register_name()(user.id, known)
            assert (await ask(known)).json()["names"] == {known: user.pubkey}
            held = await _keys(redis_url, redis_namespace)

            # Names nobody holds leave nothing behind, however many are asked.
            for _ in range(200):
                answer = await ask(secrets.token_hex(8))
                assert (answer.status_code, answer.json()) == (200, {"names": {}})
            assert await _keys(redis_url, redis_namespace) == held

            # With PostgreSQL gone, unknown names and unknown hosts are still answered: from memory.
            proxy.stop()
            for index in range(300):
                host = f"{secrets.token_hex(6)}.example" if index % 10 == 0 else DEFAULT_DOMAIN
                answer = await ask(secrets.token_hex(8), host)
                assert (answer.status_code, answer.json()) == (200, {"names": {}})
            assert (await ask(known)).json()["names"] == {known: user.pubkey}
            assert await _keys(redis_url, redis_namespace) == held
    finally:
        proxy.close()


async def test_t4_a_name_registered_in_one_process_is_served_by_another_that_had_it_as_unknown(
    postgres_dsn, redis_cache
):
    first, second = names_container(postgres_dsn, redis_cache), names_container(postgres_dsn, redis_cache)
    async with serving(first) as one, serving(second) as two:

        async def ask(client, name: str, host: str = DEFAULT_DOMAIN):  # type: ignore[no-untyped-def]
            return (await client.get(PATH, params={"name": name}, headers={"host": host})).json()

        jane = f"jane-{secrets.token_hex(4)}"
        assert await ask(one, jane) == await ask(two, jane) == {"names": {}}
        user = await add_user(first)
        await first.names.register_name()(user.id, jane)
        await asyncio.sleep(1.0)
        assert (await ask(two, jane))["names"] == {jane: user.pubkey}
        assert (await ask(one, jane))["names"] == {jane: user.pubkey}
