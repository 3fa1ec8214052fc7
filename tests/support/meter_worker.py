"""A process that meters API key uses through the container, for tests across processes.

    python -m tests.support.meter_worker DSN REDIS_URL NAMESPACE API_KEY_ID COUNT [--flush] [--hang]

Meters COUNT uses concurrently (flushing alongside with --flush), prints "counted", then flushes
and exits, or with --hang waits to be killed without flushing.
"""

import asyncio
import sys
from uuid import UUID

from dependency_injector import providers

from adapters.cache.redis_cache import RedisCache
from bootstrap.container import Container
from bootstrap.settings import Settings

ENDPOINT = "GET /api/v1/wot/{pubkey}"


async def main(dsn: str, redis_url: str, namespace: str, key_id: UUID, count: int, flags: set[str]) -> None:
    container = Container(settings=Settings(environment="test", database_url=dsn, redis_url=redis_url))
    container.cache.override(providers.Singleton(RedisCache.from_url, redis_url, namespace=namespace))
    await container.db_pool().open(wait=True, timeout=10)
    meter = container.api_keys.meter_api_key_use()
    flushes = []
    for start in range(0, count, 50):
        await asyncio.gather(*(meter(key_id, ENDPOINT, 200) for _ in range(start, min(count, start + 50))))
        if "--flush" in flags:
            flushes.append(asyncio.create_task(container.api_keys.flush_api_key_usage()()))
    await asyncio.gather(*flushes)
    print("counted", flush=True)
    if "--hang" in flags:
        await asyncio.Event().wait()
    await container.api_keys.flush_api_key_usage()()
    await container.db_pool().close()
    await container.cache().close()


if __name__ == "__main__":
    dsn, redis_url, namespace, key_id, count, *flags = sys.argv[1:]
    asyncio.run(main(dsn, redis_url, namespace, UUID(key_id), int(count), set(flags)))
