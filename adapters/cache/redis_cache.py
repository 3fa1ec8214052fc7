"""The Cache port on Redis (redis.asyncio), shared by every process of the service.

Every call is bounded: connecting, waiting for a pooled connection and each reply have a timeout,
with at most one immediate retry (which replaces a pooled connection Redis has closed). Connection
failures and timeouts surface as CacheUnavailable. Keys live under `namespace + ":"`, so several
deployments or test runs can share one Redis without meeting.
"""

from collections.abc import Awaitable
from typing import Any, Self

import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError, ResponseError

from adapters.cache.expiry import check_amount, ttl_milliseconds
from domain.ports.cache import CacheUnavailable

# EXISTS and INCRBY run as one step inside Redis, so "this increment created the key" is exact and
# the TTL is set only then, however many processes increment concurrently.
INCREMENT_SCRIPT = """
local created = redis.call('EXISTS', KEYS[1]) == 0
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
if created and ARGV[2] ~= '' then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return total
"""

_NOT_A_COUNTER = ("not an integer", "overflow")


class RedisCache:
    """Cache adapter over a redis.asyncio client; `close()` closes that client."""

    def __init__(self, client: redis.Redis, *, namespace: str = "nostr-id") -> None:
        if not namespace:
            raise ValueError("namespace must not be empty")
        if client.connection_pool.connection_kwargs.get("decode_responses"):
            raise ValueError("RedisCache needs a client with decode_responses=False: values are bytes")
        self._client = client
        self._prefix = namespace + ":"
        self._increment = client.register_script(INCREMENT_SCRIPT)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        namespace: str = "nostr-id",
        socket_timeout: float = 0.5,
        max_connections: int = 50,
    ) -> Self:
        """Builds a client for a redis:// or rediss:// URL; it connects lazily, on the first call.

        `socket_timeout` bounds connecting, each reply, and waiting for one of the
        `max_connections` pooled connections when all are busy.
        """
        if not socket_timeout > 0:
            raise ValueError(f"socket_timeout must be positive seconds, got {socket_timeout!r}")
        if max_connections < 1:
            raise ValueError(f"max_connections must be at least 1, got {max_connections!r}")
        pool = redis.BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=socket_timeout,
            socket_timeout=socket_timeout,
            socket_connect_timeout=socket_timeout,
            retry=Retry(NoBackoff(), 1),
            decode_responses=False,
        )
        return cls(redis.Redis.from_pool(pool), namespace=namespace)

    async def get(self, key: str) -> bytes | None:
        value: bytes | None = await self._call("GET", self._client.get(self._key(key)))
        return value

    async def get_many(self, keys: list[str]) -> list[bytes | None]:
        if not keys:
            return []
        values: list[bytes | None] = await self._call("MGET", self._client.mget([self._key(k) for k in keys]))
        return values

    async def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        _check_value(value)
        await self._call("SET", self._client.set(self._key(key), value, px=_px(ttl)))

    async def delete(self, key: str) -> bool:
        removed: int = await self._call("DEL", self._client.delete(self._key(key)))
        return removed > 0

    async def set_if_absent(self, key: str, value: bytes, ttl: float | None = None) -> bool:
        _check_value(value)
        stored = await self._call("SET NX", self._client.set(self._key(key), value, nx=True, px=_px(ttl)))
        return bool(stored)

    async def increment(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        check_amount(amount)
        px = _px(ttl)
        args: list[Any] = [amount, "" if px is None else px]
        total: int = await self._call("INCRBY", self._increment(keys=[self._key(key)], args=args))
        return total

    async def ttl(self, key: str) -> float | None:
        milliseconds: int = await self._call("PTTL", self._client.pttl(self._key(key)))
        # PTTL answers -2 for an absent key and -1 for a key without expiry.
        return milliseconds / 1000 if milliseconds >= 0 else None

    async def ping(self) -> None:
        await self._call("PING", self._client.ping())

    async def close(self) -> None:
        await self._client.aclose()

    def _key(self, key: str) -> str:
        return self._prefix + key

    async def _call(self, command: str, call: Awaitable[Any]) -> Any:
        try:
            return await call
        except ResponseError as error:
            if any(reason in str(error) for reason in _NOT_A_COUNTER):
                raise ValueError(f"{command}: value is not a 64-bit integer counter") from error
            raise CacheUnavailable(f"redis {command} failed: {error}") from error
        except (RedisError, OSError) as error:  # OSError covers TimeoutError and refused connections
            raise CacheUnavailable(f"redis {command} failed: {type(error).__name__}: {error}") from error


def _px(ttl: float | None) -> int | None:
    return None if ttl is None else ttl_milliseconds(ttl)


def _check_value(value: bytes) -> None:
    if not isinstance(value, bytes):
        raise TypeError(f"cache values are bytes, got {type(value).__name__}")
