"""The connection pool: created closed, opened by the application's lifespan, self-healing."""

import asyncio

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from domain.ports.persistence import DatabaseUnavailable


def create_pool(
    dsn: str, *, min_size: int = 1, max_size: int = 10, timeout: float = 5.0
) -> AsyncConnectionPool:
    """Builds a pool that is not yet open; open it with `await pool.open(wait=False)`.

    Opening without waiting lets the service start while the database is unreachable: the pool
    keeps reconnecting in the background, every checkout is checked first so connections broken
    by a database restart are replaced, and a pool that has given up grows again on demand.
    `timeout` bounds both connecting and waiting for a free connection.
    """
    return AsyncConnectionPool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        timeout=timeout,
        open=False,
        check=AsyncConnectionPool.check_connection,
        kwargs={"connect_timeout": max(1, round(timeout))},
        name="nostr-id",
    )


async def ping(pool: AsyncConnectionPool, timeout: float) -> None:  # noqa: ASYNC109 - the health check sets the deadline
    """Returns when the database answers `SELECT 1` within `timeout`; raises DatabaseUnavailable."""
    try:
        async with asyncio.timeout(timeout), pool.connection(timeout=timeout) as conn:
            await conn.execute("SELECT 1")
    except (TimeoutError, PoolTimeout) as exc:
        raise DatabaseUnavailable(f"PostgreSQL did not answer within {timeout:g} s") from exc
    except psycopg.Error as exc:
        raise DatabaseUnavailable(f"PostgreSQL is unavailable: {type(exc).__name__}") from exc
