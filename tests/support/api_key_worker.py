"""A process that verifies one API key through its own container, for tests across processes.

    python -m tests.support.api_key_worker DSN REDIS_URL NAMESPACE KEY

Prints "ready", then answers each line read from stdin with "accepted" or "refused".
"""

import asyncio
import sys

from dependency_injector import providers

from adapters.cache.redis_cache import RedisCache
from bootstrap.container import Container
from bootstrap.settings import Settings
from domain.shared.errors import Unauthorized


async def main(dsn: str, redis_url: str, namespace: str, key: str) -> None:
    container = Container(settings=Settings(environment="test", database_url=dsn, redis_url=redis_url))
    container.cache.override(providers.Singleton(RedisCache.from_url, redis_url, namespace=namespace))
    await container.db_pool().open(wait=True, timeout=10)
    verifier = container.api_keys.api_key_verifier()
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    while await loop.run_in_executor(None, sys.stdin.readline):
        try:
            await verifier.verify(key)
            print("accepted", flush=True)
        except Unauthorized:
            print("refused", flush=True)
    await container.db_pool().close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
