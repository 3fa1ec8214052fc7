"""The connection pool: created closed, opened by the application's lifespan, self-healing."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from domain.shared.unit_of_work import DatabaseUnavailable


def create_pool(
    dsn: str,
    *,
    min_size: int = 1,
    max_size: int = 10,
    timeout: float = 5.0,
    statement_timeout: float = 10.0,
) -> AsyncConnectionPool:
    """Builds a pool that is not yet open; open it with `await pool.open(wait=False)`.

    Opening without waiting lets the service start while the database is unreachable: the pool
    keeps reconnecting in the background, every checkout is checked first so connections broken
    by a database restart are replaced, and a pool that has given up grows again on demand.
    `timeout` bounds both connecting and waiting for a free connection; `statement_timeout` bounds
    each statement on the server.

    The pool retries a failed connection with a doubling delay (1 s, 2 s, 4 s, ...) and, while it
    does, starts no other attempt. Left at psycopg_pool's 300 s, that delay soon outgrows `timeout`:
    after an outage of some seconds, requests would still time out long after the database is back.
    So a retry stops after `timeout` too (no wait between attempts exceeds about 2 s), and the next
    checkout starts a fresh attempt at once: the service recovers within one checkout's `timeout`.
    """
    sweeps: set[asyncio.Task[None]] = set()
    pool: AsyncConnectionPool | None = None

    def sweep_idle_connections() -> None:
        # A restarted server breaks every idle connection at once. Found one checkout at a time,
        # each broken one would cost the caller another step of the pool's retry backoff.
        if pool is not None and not sweeps:
            task = asyncio.get_running_loop().create_task(pool.check())
            sweeps.add(task)
            task.add_done_callback(sweeps.discard)

    pool = AsyncConnectionPool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        timeout=timeout,
        reconnect_timeout=timeout,
        open=False,
        check=_checked_by(sweep_idle_connections),
        kwargs={
            "connect_timeout": max(1, round(timeout)),
            "options": f"-c statement_timeout={round(statement_timeout * 1000)}",
        },
        name="nostr-id",
    )
    return pool


def _checked_by(on_broken: Callable[[], None]) -> Callable[[AsyncConnection[Any]], Awaitable[None]]:
    async def check(conn: AsyncConnection[Any]) -> None:
        try:
            await AsyncConnectionPool.check_connection(conn)
        except psycopg.Error:
            on_broken()
            raise

    return check


async def ping(pool: AsyncConnectionPool, timeout: float) -> None:  # noqa: ASYNC109 - the health check sets the deadline
    """Returns when the database answers `SELECT 1` within `timeout`; raises DatabaseUnavailable."""
    try:
        async with asyncio.timeout(timeout), pool.connection(timeout=timeout) as conn:
            await conn.execute("SELECT 1")
    except (TimeoutError, PoolTimeout) as exc:
        raise DatabaseUnavailable(f"PostgreSQL did not answer within {timeout:g} s") from exc
    except psycopg.Error as exc:
        raise DatabaseUnavailable(f"PostgreSQL is unavailable: {type(exc).__name__}") from exc
