"""One connection and the transaction open on it, shared by the repositories of a unit of work."""

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, LiteralString

import psycopg
from psycopg import AsyncConnection, errors
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from domain.shared.errors import Conflict, InvalidInput
from domain.shared.unit_of_work import DatabaseUnavailable

Row = dict[str, Any]
Params = Mapping[str, Any]


class PostgresTransaction:
    """Borrows a connection from the pool for the life of a unit of work.

    The connection runs in autocommit mode and the transaction is opened explicitly with BEGIN on
    the first statement, so `guarded()` blocks are savepoints: a write that fails inside one leaves
    the rest of the transaction usable, as the memory twin's repositories are. Inserts and updates
    are guarded; reads, and claims that only set a time, cannot break a rule and are not.
    """

    def __init__(self, pool: AsyncConnectionPool, timeout: float | None = None) -> None:
        self._pool = pool
        self._timeout = timeout
        self._conn: AsyncConnection | None = None
        self._restore_autocommit = False
        self._open = False

    async def acquire(self) -> None:
        if self._conn is not None:
            raise RuntimeError("this unit of work is already in use")
        try:
            conn = await self._pool.getconn(timeout=self._timeout)
        except (PoolTimeout, psycopg.OperationalError) as exc:
            raise DatabaseUnavailable("no database connection available") from exc
        self._restore_autocommit = not conn.autocommit
        if self._restore_autocommit:
            await conn.set_autocommit(True)
        self._conn = conn

    async def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            if self._open and not conn.closed:
                await self.rollback_on(conn)
            if self._restore_autocommit and not conn.closed:
                await conn.set_autocommit(False)
        finally:
            self._open = False
            await self._pool.putconn(conn)

    async def rollback_on(self, conn: AsyncConnection) -> None:
        self._open = False
        try:
            await conn.execute("ROLLBACK")
        except psycopg.Error:
            # A broken connection has nothing left to roll back; the pool's check replaces it.
            return

    async def commit(self) -> None:
        if self._open:
            await self._run("COMMIT", None)
            self._open = False

    async def rollback(self) -> None:
        if self._open:
            await self.rollback_on(self._connection())

    def _connection(self) -> AsyncConnection:
        if self._conn is None:
            raise RuntimeError("use the unit of work inside `async with`")
        return self._conn

    async def _begin(self) -> None:
        if not self._open:
            await self._run("BEGIN", None)
            self._open = True

    async def _run(self, query: LiteralString, params: Params | None) -> psycopg.AsyncCursor[Row]:
        conn = self._connection()
        cursor = conn.cursor(row_factory=dict_row)
        try:
            await cursor.execute(query, params)
        except errors.UniqueViolation as exc:
            raise Conflict("a record with the same unique key already exists") from exc
        except errors.ExclusionViolation as exc:
            raise Conflict("the record collides with another record (an exclusion rule)") from exc
        except errors.ForeignKeyViolation as exc:
            raise Conflict("the record refers to, or is referred to by, another record") from exc
        except (errors.CheckViolation, errors.NotNullViolation) as exc:
            raise InvalidInput("the record breaks a rule of the schema") from exc
        except (psycopg.OperationalError, errors.QueryCanceled) as exc:
            raise DatabaseUnavailable("PostgreSQL did not complete the statement") from exc
        except (errors.UndefinedTable, errors.UndefinedColumn) as exc:
            # A database behind this version's migrations: not ready (see the readiness check
            # "schema"), answered 503 like any unavailable database, never a 500 per request.
            raise DatabaseUnavailable("the database schema is behind this version") from exc
        return cursor

    async def fetch_one(self, query: LiteralString, params: Params) -> Row | None:
        await self._begin()
        cursor = await self._run(query, params)
        return await cursor.fetchone()

    async def fetch_all(self, query: LiteralString, params: Params) -> list[Row]:
        await self._begin()
        cursor = await self._run(query, params)
        return await cursor.fetchall()

    async def execute(self, query: LiteralString, params: Params) -> int:
        """Runs a statement; returns the number of rows it touched."""
        await self._begin()
        cursor = await self._run(query, params)
        return cursor.rowcount

    async def insert(self, query: LiteralString, params: Params) -> bool:
        """Runs an `INSERT ... ON CONFLICT DO NOTHING` in a savepoint; False when it hit a unique key.

        The savepoint keeps the transaction usable when the row breaks another rule (a foreign key
        to a record that does not exist), as it stays usable in the memory twin.
        """
        async with self.guarded():
            return await self.execute(query, params) == 1

    @asynccontextmanager
    async def guarded(self) -> AsyncIterator[None]:
        """A savepoint: a failure inside undoes only what the block did."""
        await self._begin()
        try:
            async with self._connection().transaction():
                yield
        except psycopg.OperationalError as exc:
            raise DatabaseUnavailable("PostgreSQL did not complete the statement") from exc
