"""Which of this version's migrations the database has applied, read from yoyo's own table."""

import asyncio
from pathlib import Path

import psycopg
from psycopg import errors
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from domain.shared.unit_of_work import DatabaseUnavailable

from .migrations import default_migrations_dir

APPLIED = "SELECT migration_id FROM _yoyo_migration"


def known_migrations(migrations_dir: Path | None = None) -> list[str]:
    """The ids of the migration files this version ships, in order (rollback files aside)."""
    directory = migrations_dir or default_migrations_dir()
    return sorted(path.stem for path in directory.glob("*.sql") if not path.name.endswith(".rollback.sql"))


class PostgresSchemaVersion:
    def __init__(self, pool: AsyncConnectionPool, timeout: float, migrations_dir: Path | None = None) -> None:
        self._pool = pool
        self._timeout = timeout
        self._known = known_migrations(migrations_dir)

    async def missing_migrations(self) -> list[str]:
        try:
            async with asyncio.timeout(self._timeout), self._pool.connection(timeout=self._timeout) as conn:
                try:
                    cursor = await conn.execute(APPLIED)
                except errors.UndefinedTable:
                    return list(self._known)
                applied = {row[0] for row in await cursor.fetchall()}
        except (TimeoutError, PoolTimeout) as exc:
            raise DatabaseUnavailable(f"PostgreSQL did not answer within {self._timeout:g} s") from exc
        except psycopg.Error as exc:
            raise DatabaseUnavailable(f"PostgreSQL is unavailable: {type(exc).__name__}") from exc
        return [migration for migration in self._known if migration not in applied]
