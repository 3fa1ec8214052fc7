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

from adapters.cache.expiry import check_amount, check_field, rate_interval, ttl_milliseconds
from domain.shared.cache import CacheUnavailable, RateDecision

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

# GCRA on Redis's own clock, so every process judges by one time. Times are whole microseconds;
# the key holds the theoretical arrival time and expires when the quota is whole again.
RATE_SCRIPT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local interval = tonumber(ARGV[1])
local tolerance = interval * tonumber(ARGV[2])
local stored = redis.call('GET', KEYS[1])
local tat = now
if stored then tat = math.max(tonumber(stored), now) end
local new_tat = tat + interval
local allow_at = new_tat - tolerance
if now < allow_at then
    return {0, 0, allow_at - now, tat - now}
end
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil((new_tat - now) / 1000))
return {1, math.floor((now - allow_at) / interval), 0, new_tat - now}
"""

# The claim token lives in the group under the empty field name, which counters never use.
CLAIM_SCRIPT = """
if redis.call('EXISTS', KEYS[2]) == 1 then
    return redis.call('HGETALL', KEYS[2])
end
if redis.call('EXISTS', KEYS[1]) == 0 then
    return {}
end
redis.call('RENAME', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[2], '', ARGV[1])
return redis.call('HGETALL', KEYS[2])
"""

RELEASE_SCRIPT = """
if redis.call('HGET', KEYS[1], '') == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
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
        self._rate = client.register_script(RATE_SCRIPT)
        self._claim = client.register_script(CLAIM_SCRIPT)
        self._release = client.register_script(RELEASE_SCRIPT)

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

    async def acquire_rate(self, key: str, limit: int, period: float) -> RateDecision:
        interval = rate_interval(limit, period)
        allowed, remaining, retry_after, reset_after = await self._call(
            "GCRA", self._rate(keys=[self._key(key)], args=[interval, limit])
        )
        return RateDecision(
            allowed=bool(allowed),
            limit=limit,
            remaining=int(remaining),
            retry_after=int(retry_after) / 1e6,
            reset_after=int(reset_after) / 1e6,
        )

    async def increment_field(self, key: str, field: str, amount: int = 1) -> int:
        check_field(field)
        check_amount(amount)
        total: int = await self._call("HINCRBY", self._client.hincrby(self._key(key), field, amount))
        return total

    async def claim_fields(self, key: str, claim_key: str, token: str) -> tuple[str, dict[str, int]] | None:
        flat: list[bytes] = await self._call(
            "CLAIM", self._claim(keys=[self._key(key), self._key(claim_key)], args=[token])
        )
        if not flat:
            return None
        fields = {flat[i].decode(): flat[i + 1] for i in range(0, len(flat), 2)}
        held = fields.pop("").decode()
        return held, {field: int(value) for field, value in fields.items()}

    async def release_claim(self, claim_key: str, token: str) -> bool:
        deleted: int = await self._call("RELEASE", self._release(keys=[self._key(claim_key)], args=[token]))
        return deleted > 0

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
