"""The pool starts without the database, answers pings, and recovers by itself."""

import asyncio
import secrets
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql
from psycopg_pool import AsyncConnectionPool

from adapters.postgres.pool import create_pool, ping
from domain.shared.unit_of_work import DatabaseUnavailable

pytestmark = pytest.mark.integration

RECOVERY_DEADLINE_SECONDS = 60.0


async def ping_until_it_answers(pool: AsyncConnectionPool) -> None:
    async with asyncio.timeout(RECOVERY_DEADLINE_SECONDS):
        while True:
            try:
                await ping(pool, timeout=2.0)
                return
            except DatabaseUnavailable:
                await asyncio.sleep(0.2)


async def test_ping_answers_on_an_open_pool(postgres_pool: AsyncConnectionPool) -> None:
    await ping(postgres_pool, timeout=5.0)


async def test_ping_on_a_closed_pool_raises_database_unavailable(postgres_dsn: str) -> None:
    pool = create_pool(postgres_dsn)

    with pytest.raises(DatabaseUnavailable):
        await ping(pool, timeout=1.0)


async def test_pool_opened_before_the_database_exists_recovers_when_it_appears(
    postgres_admin_url: str,
) -> None:
    name = "nostr_id_test_" + secrets.token_hex(6)
    parts = urlsplit(postgres_admin_url)
    dsn = urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))
    pool = create_pool(dsn, timeout=1.0)
    await pool.open(wait=False)
    try:
        with pytest.raises(DatabaseUnavailable):
            await ping(pool, timeout=1.0)

        with psycopg.connect(postgres_admin_url, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

        await ping_until_it_answers(pool)
    finally:
        await pool.close()
        with psycopg.connect(postgres_admin_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


async def test_connections_killed_by_the_server_are_replaced(
    postgres_dsn: str, postgres_admin_url: str
) -> None:
    # Enough idle connections that finding the broken ones one checkout at a time would outlast
    # the ping's deadline under the pool's retry backoff (1 s, 2 s, 4 s, ...).
    pool = create_pool(postgres_dsn, min_size=6, max_size=6)
    await pool.open(wait=True, timeout=10)
    try:
        await ping(pool, timeout=5.0)
        database = urlsplit(postgres_dsn).path.lstrip("/")
        with psycopg.connect(postgres_admin_url, autocommit=True) as admin:
            killed = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %(db)s",
                {"db": database},
            ).fetchall()
        assert killed.count((True,)) >= 6

        await ping(pool, timeout=3.5)
    finally:
        await pool.close()
