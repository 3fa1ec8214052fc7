"""Every repository test runs against PostgreSQL and against the memory twin: one semantics."""

import pytest
from psycopg_pool import AsyncConnectionPool

from adapters.postgres.unit_of_work import PostgresUnitOfWork
from tests.fakes.unit_of_work import FakeUnitOfWork, MemoryStore
from tests.integration.postgres.support import UowFactory


@pytest.fixture(params=["postgres", "memory"])
def new_uow(request: pytest.FixtureRequest) -> UowFactory:
    """Makes units of work that share one database (or one memory store) within a test."""
    if request.param == "postgres":
        pool: AsyncConnectionPool = request.getfixturevalue("postgres_pool")
        return lambda: PostgresUnitOfWork(pool)
    store = MemoryStore()
    return lambda: FakeUnitOfWork(store)
