"""Scoring never touches PostgreSQL: the app answers every WoT request with the database swapped for
one that fails on any call."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import AsyncTestClient

from adapters.http.app import create_app
from bootstrap.container import Container
from bootstrap.settings import Settings
from domain.nostr.nip19 import encode_npub
from tests.unit.wot.world import PUB, world_events


class DatabaseTouched(AssertionError):
    pass


class FailingPool:
    """Stands in for the connection pool: opening and closing are allowed, anything else fails."""

    def __init__(self) -> None:
        self.touched: list[str] = []

    async def open(self, wait: bool = False) -> None:
        return None

    async def close(self) -> None:
        return None

    def __getattr__(self, name: str) -> object:
        self.touched.append(name)
        raise DatabaseTouched(f"the database pool was used: {name}")


async def no_job_runs() -> list[object]:
    return []


@pytest.fixture
def pool() -> FailingPool:
    return FailingPool()


@pytest.fixture
async def client(tmp_path: Path, pool: FailingPool) -> AsyncIterator[AsyncTestClient[Litestar]]:
    units: list[int] = []

    def failing_unit_of_work(timeout: float | None = None) -> object:
        units.append(1)
        raise DatabaseTouched("a unit of work was asked for")

    container = Container(
        settings=Settings(relay_urls=("memory://",), wot_seeds=(PUB["seed"],), data_dir=tmp_path)
    )
    container.db_pool.override(providers.Object(pool))
    container.unit_of_work.override(providers.Callable(failing_unit_of_work))
    # The process's reader of periodic jobs' outcomes (for /metrics) is not the Web of Trust's.
    container.list_job_runs.override(providers.Object(no_job_runs))
    await container.relay().publish(world_events())
    async with AsyncTestClient(create_app(container)) as test_client:
        yield test_client
    assert units == []


async def test_many_scores_with_a_database_that_fails_on_any_call(
    client: AsyncTestClient[Litestar], pool: FailingPool
) -> None:
    names = list(PUB)
    for name in names:
        for form in (PUB[name], encode_npub(PUB[name])):
            response = await client.get(f"/api/v1/wot/{form}")
            assert response.status_code == 200, response.text
    batch = await client.post("/api/v1/wot/batch", json={"pubkeys": [PUB[n] for n in names] * 12})

    assert batch.status_code == 200
    assert len(batch.json()["items"]) == 12 * len(names)
    assert pool.touched == []
