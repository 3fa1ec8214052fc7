"""A Redis that refuses connections or never answers turns every call into CacheUnavailable.

The outer `asyncio.timeout` only keeps a broken build from hanging the suite; the behaviour under
test is the error, which the adapter's own timeouts must produce.
"""

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from adapters.cache.redis_cache import RedisCache
from domain.shared.cache import CacheUnavailable

pytestmark = pytest.mark.integration

HANG_GUARD_SECONDS = 30

CALLS = {
    "get": lambda cache: cache.get("key"),
    "get_many": lambda cache: cache.get_many(["a", "b"]),
    "set": lambda cache: cache.set("key", b"value", 10),
    "delete": lambda cache: cache.delete("key"),
    "set_if_absent": lambda cache: cache.set_if_absent("key", b"value", 10),
    "increment": lambda cache: cache.increment("key", 1, 10),
    "ttl": lambda cache: cache.ttl("key"),
    "ping": lambda cache: cache.ping(),
}


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest_asyncio.fixture
async def silent_server_port() -> AsyncIterator[int]:
    """A TCP server that accepts connections and never answers."""

    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await reader.read(4096):
            pass
        writer.close()

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
async def test_every_call_against_a_closed_port_is_cache_unavailable(call):
    cache = RedisCache.from_url(f"redis://127.0.0.1:{closed_port()}/0", socket_timeout=0.2)
    try:
        async with asyncio.timeout(HANG_GUARD_SECONDS):
            with pytest.raises(CacheUnavailable):
                await call(cache)
    finally:
        await cache.close()


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
async def test_every_call_against_a_server_that_never_answers_is_cache_unavailable(call, silent_server_port):
    cache = RedisCache.from_url(f"redis://127.0.0.1:{silent_server_port}/0", socket_timeout=0.2)
    try:
        async with asyncio.timeout(HANG_GUARD_SECONDS):
            with pytest.raises(CacheUnavailable):
                await call(cache)
    finally:
        await cache.close()


def test_a_client_that_decodes_responses_is_rejected():
    import redis.asyncio as redis

    with pytest.raises(ValueError, match="decode_responses"):
        RedisCache(redis.Redis(decode_responses=True))


@pytest.mark.parametrize("url", ["http://127.0.0.1:6379", "not a url"])
def test_a_url_that_is_not_redis_is_rejected(url):
    with pytest.raises(ValueError):
        RedisCache.from_url(url)
