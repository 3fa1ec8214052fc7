"""Serving Web of Trust figures through the real container and app: deadlines, admission, live seeds.

The app is called in this event loop through httpx's ASGI transport (Litestar's test client runs it
on a thread of its own), so the tasks it leaves behind can be counted here.
"""

import asyncio
import math
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from dependency_injector import providers

from adapters.http.app import create_app
from application.demo.graph import generate_demo_graph
from application.wot.admission import ComputeAdmission
from bootstrap.cli import demo_seed
from bootstrap.container import Container
from domain.nostr.signing import generate_secret_key, public_key_of
from domain.shared.clock import FixedClock
from tests.support.app import container_for_tests, settings_for_tests
from tests.unit.wot.fakes import ControllableRelay
from tests.unit.wot.world import NOW, PUB, world_events

DEADLINE = 0.5
# A hard guard well above one deadline and well below what item-by-item deadlines would take.
GUARD = 4 * DEADLINE


def container_for(tmp_path: Path, relay: ControllableRelay | None = None, **values: Any) -> Container:
    settings = settings_for_tests(tmp_path, wot_request_deadline=DEADLINE, **values)
    return container_for_tests(settings, relay=relay, clock=FixedClock(NOW))


def in_loop(container: Container) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(container))
    return httpx.AsyncClient(transport=transport, base_url="http://nostr-id.test")


class SignallingRelay(ControllableRelay):
    """Sets `held` when a call is held in slow mode."""

    def __init__(self) -> None:
        super().__init__(world_events())
        self.held = asyncio.Event()

    async def _gate(self, name: str) -> None:
        if self.mode == "slow":
            self.held.set()
        await super()._gate(name)


@pytest.fixture
def relay() -> SignallingRelay:
    return SignallingRelay()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
async def serve(
    tmp_path: Path, relay: ControllableRelay, clock: FixedClock
) -> AsyncIterator[Callable[..., httpx.AsyncClient]]:
    def client(deadline: float = DEADLINE, **overrides: object) -> httpx.AsyncClient:
        settings = settings_for_tests(tmp_path, wot_request_deadline=deadline, wot_seeds=(PUB["seed"],))
        return in_loop(container_for_tests(settings, relay=relay, clock=clock, **overrides))

    yield client
    relay.recover()


def strangers(count: int) -> list[str]:
    return [public_key_of(generate_secret_key()) for _ in range(count)]


async def test_w1_a_batch_on_a_slow_relay_answers_within_one_deadline_and_leaves_nothing_running(
    serve: Callable[..., httpx.AsyncClient], relay: ControllableRelay, clock: FixedClock
) -> None:
    async with serve() as client:
        for name in ("alice", "bob"):
            assert (await client.get(f"/api/v1/wot/{PUB[name]}")).json()["stale"] is False
        relay.mode = "slow"
        clock.advance(timedelta(seconds=301))
        # The first request past the TTL starts the one background rebuild of the neighbourhood.
        assert (await client.get(f"/api/v1/wot/{PUB['alice']}")).json()["stale"] is True
        baseline = asyncio.all_tasks()
        others = strangers(98)

        async with asyncio.timeout(GUARD):
            response = await client.post(
                "/api/v1/wot/batch", json={"pubkeys": [PUB["alice"], *others, PUB["bob"]]}
            )

        assert asyncio.all_tasks() - baseline == set()
    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["pubkey"] for item in items] == [PUB["alice"], *others, PUB["bob"]]
    assert [(item["status"], item["stale"]) for item in (items[0], items[-1])] == [("ok", True)] * 2
    assert items[-1]["following_count"] == 2
    unavailable = items[1:-1]
    assert {item["status"] for item in unavailable} == {"unavailable"}
    assert all(item["retry_after"] >= 1 and "stale" not in item for item in unavailable)
    assert int(response.headers["retry-after"]) == max(item["retry_after"] for item in unavailable)


async def test_w1_a_batch_that_is_served_in_time_carries_no_retry_after(
    serve: Callable[..., httpx.AsyncClient],
) -> None:
    # A deadline no busy machine misses: this test is about an answer served in time.
    async with serve(deadline=30.0) as client:
        response = await client.post("/api/v1/wot/batch", json={"pubkeys": [PUB["carol"], PUB["dave"]]})

    assert response.status_code == 200
    assert "retry-after" not in response.headers
    assert [item["wot_depth"] for item in response.json()["items"]] == [2, 2]


async def test_w1_when_cold_computations_could_not_start_in_time_the_answer_is_a_503_at_once(
    serve: Callable[..., httpx.AsyncClient], relay: SignallingRelay
) -> None:
    one_slot = providers.Singleton(ComputeAdmission, 1, typical_seconds=60)
    admission = one_slot()
    async with serve(wot_admission=one_slot) as client:
        assert (await client.get(f"/api/v1/wot/{PUB['carol']}")).status_code == 200
        relay.mode = "slow"
        first = asyncio.create_task(client.get(f"/api/v1/wot/{PUB['dave']}"))
        async with asyncio.timeout(GUARD):
            await relay.held.wait()
        assert admission.in_flight == 1

        expected_wait = admission.expected_wait()
        refused = await client.get(f"/api/v1/wot/{PUB['erin']}")

        # Refused while the first still waits for the relay, not after waiting the deadline out.
        assert not first.done()
        relay.recover()
        assert (await first).status_code == 200
    assert refused.status_code == 503
    assert expected_wait > DEADLINE
    assert refused.headers["retry-after"] == str(math.ceil(expected_wait))
    assert refused.headers["content-type"].startswith("application/problem+json")


async def test_a_running_server_scores_against_new_demo_seeds_without_a_restart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    container = container_for(tmp_path)
    now = int(container.clock().now().timestamp())
    graph = generate_demo_graph(80, 4, now)
    demo_seed_pubkey = graph.pubkeys[graph.seeds[0]]
    demo_bot = graph.pubkeys[next(index for index in range(graph.size) if graph.is_bot[index])]

    async with in_loop(container) as client:
        before = (await client.get(f"/api/v1/wot/{demo_seed_pubkey}")).json()
        assert await demo_seed(container, users=80, seed=4) == 0
        after = (await client.get(f"/api/v1/wot/{demo_seed_pubkey}")).json()
        bot = (await client.get(f"/api/v1/wot/{demo_bot}")).json()

    printed = capsys.readouterr().out
    assert f"a seed          {demo_seed_pubkey}" in printed
    assert f"a likely bot    {demo_bot}" in printed
    assert "an ordinary one " in printed
    assert before["wot_depth"] is None
    assert (after["wot_depth"], after["is_likely_bot"], after["trust_score"]) == (0, False, 1.0)
    assert after["activity_score"] > 0
    assert bot["is_likely_bot"] is True


async def test_the_schema_documents_the_per_item_unavailable_form_and_retry_after(
    serve: Callable[..., httpx.AsyncClient],
) -> None:
    async with serve() as client:
        response = await client.get("/schema/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    batch = schema["paths"]["/api/v1/wot/batch"]["post"]["responses"]["200"]
    items = schema["components"]["schemas"]["WotBatchResponse"]["properties"]["items"]["items"]
    unavailable = schema["components"]["schemas"]["WotUnavailableItem"]
    assert "Retry-After" in batch["headers"]
    assert {option["$ref"].rsplit("/", 1)[1] for option in items["oneOf"]} == {
        "WotBatchItem",
        "WotUnavailableItem",
    }
    assert set(unavailable["required"]) >= {"status", "pubkey", "npub", "detail", "retry_after"}
