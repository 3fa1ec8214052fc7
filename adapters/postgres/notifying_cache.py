"""The in-process cache, with its invalidation keys carried to every process through PostgreSQL.

Without Redis each process has its own memory cache, so the verdicts' one invalidation mechanism
(a new tag for a changed key, a new generation for its namespace; see application/verdicts.py)
would stay in the process that made the change: an `admin suspend-user` run from the command line
would never reach the running server. `PostgresNotifyingCache` wraps the memory cache: every write
of an invalidation key (`is_invalidation_key`) is also sent with `pg_notify` on one channel, and
every process LISTENs on a connection of its own and applies what others sent to its own memory
cache, in the order PostgreSQL delivers the notifications, the same order for every listener.

A notification missed while the listening connection was down cannot be told apart from none:
while the connection is down, reading an invalidation key raises CacheUnavailable (the verdicts
then trust nothing in-process and ask PostgreSQL), and each (re)connection starts a new epoch
that is read as part of every invalidation key's value, so every answer kept before reads as
changed. Everything else (rate limits, replay store, counters) stays per process, as before.
"""

import asyncio
import base64
import contextlib
import json
import logging
import secrets
from collections.abc import Callable

import psycopg
from psycopg import sql
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from domain.shared.cache import Cache, CacheUnavailable, RateDecision

log = logging.getLogger(__name__)

CHANNEL = "nostr_id_cache"
NOTIFY = "SELECT pg_notify(%(channel)s, %(payload)s)"
RECONNECT_AFTER = (0.1, 0.5, 1.0, 2.0)
SEND_TIMEOUT = 2.0


class PostgresNotifyingCache:
    """A Cache over a per-process cache whose invalidation keys every process hears."""

    def __init__(
        self,
        local: Cache,
        pool: AsyncConnectionPool,
        dsn: str,
        is_invalidation_key: Callable[[str], bool],
        channel: str = CHANNEL,
    ) -> None:
        self._local = local
        self._pool = pool
        self._dsn = dsn
        self._shared = is_invalidation_key
        self._channel = channel
        self._origin = secrets.token_hex(8)
        self._listening = False
        self._epoch = 0
        self._listener: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()

    async def start(self) -> None:
        """Starts listening; returns once the first LISTEN is in place or a connection failed."""
        if self._listener is None:
            self._listener = asyncio.create_task(self._listen(), name="cache-notifications")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._connected.wait(), SEND_TIMEOUT)

    async def get(self, key: str) -> bytes | None:
        return (await self.get_many([key]))[0]

    async def get_many(self, keys: list[str]) -> list[bytes | None]:
        values = await self._local.get_many(keys)
        if not any(self._shared(key) for key in keys):
            return values
        if not self._listening:
            raise CacheUnavailable(
                "changes made by other processes cannot be heard: PostgreSQL is not listening"
            )
        epoch = b"/%d" % self._epoch
        return [
            (value or b"") + epoch if self._shared(key) else value
            for key, value in zip(keys, values, strict=True)
        ]

    async def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        await self._local.set(key, value, ttl)
        if self._shared(key):
            await self._send({"k": key, "v": base64.b64encode(value).decode(), "t": ttl})

    async def delete(self, key: str) -> bool:
        existed = await self._local.delete(key)
        if self._shared(key):
            await self._send({"k": key, "v": None, "t": None})
        return existed

    async def set_if_absent(self, key: str, value: bytes, ttl: float | None = None) -> bool:
        return await self._local.set_if_absent(key, value, ttl)

    async def increment(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        return await self._local.increment(key, amount, ttl)

    async def ttl(self, key: str) -> float | None:
        return await self._local.ttl(key)

    async def acquire_rate(self, key: str, limit: int, period: float) -> RateDecision:
        return await self._local.acquire_rate(key, limit, period)

    async def increment_field(self, key: str, field: str, amount: int = 1) -> int:
        return await self._local.increment_field(key, field, amount)

    async def claim_fields(self, key: str, claim_key: str, token: str) -> tuple[str, dict[str, int]] | None:
        return await self._local.claim_fields(key, claim_key, token)

    async def release_claim(self, claim_key: str, token: str) -> bool:
        return await self._local.release_claim(claim_key, token)

    async def ping(self) -> None:
        # The cache itself answers; whether other processes' changes are heard depends on
        # PostgreSQL, whose own readiness check says so.
        await self._local.ping()

    async def close(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
        self._listening = False
        await self._local.close()

    async def _send(self, change: dict[str, object]) -> None:
        payload = json.dumps({"o": self._origin, **change}, separators=(",", ":"))
        try:
            async with asyncio.timeout(SEND_TIMEOUT), self._pool.connection(timeout=SEND_TIMEOUT) as conn:
                await conn.execute(NOTIFY, {"channel": self._channel, "payload": payload})
        except (TimeoutError, PoolTimeout, psycopg.Error) as exc:
            raise CacheUnavailable(
                f"the change could not be told to other processes: {type(exc).__name__}"
            ) from exc

    async def _listen(self) -> None:
        attempt = 0
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self._dsn, autocommit=True, connect_timeout=max(1, round(SEND_TIMEOUT))
                ) as conn:
                    await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._channel)))
                    self._epoch += 1
                    self._listening = True
                    self._connected.set()
                    attempt = 0
                    async for notification in conn.notifies():
                        await self._apply(notification.payload)
            except (psycopg.Error, OSError) as error:
                if self._listening:
                    log.warning("cache notifications: listening connection lost: %s", error)
            finally:
                self._listening = False
            self._connected.set()
            await asyncio.sleep(RECONNECT_AFTER[min(attempt, len(RECONNECT_AFTER) - 1)])
            attempt += 1

    async def _apply(self, payload: str) -> None:
        try:
            change = json.loads(payload)
            if change["o"] == self._origin:
                return
            key = change["k"]
            if not isinstance(key, str) or not self._shared(key):
                return
            if change["v"] is None:
                await self._local.delete(key)
            else:
                await self._local.set(key, base64.b64decode(change["v"]), change["t"])
        except (ValueError, KeyError, TypeError) as error:
            log.warning("cache notifications: a notification could not be applied: %s", error)
