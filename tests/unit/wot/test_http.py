"""The Web of Trust endpoints of the app the service runs: built by the container, relay swapped."""

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from domain.nostr.nip19 import encode_npub
from domain.shared.clock import FixedClock
from domain.wot.settings import WotSettings
from tests.support.app import client_for, container_for_tests, settings_for_tests
from tests.unit.wot.fakes import ControllableRelay
from tests.unit.wot.world import NOW, PUB, world_events

FIELDS = {
    "pubkey",
    "npub",
    "followers_count",
    "following_count",
    "wot_depth",
    "trust_score",
    "is_likely_bot",
    "bot_reasons",
    "account_age_score",
    "activity_score",
    "discount_percent",
    "computed_at",
    "stale",
    "muted_by_trusted",
    "reported_by_trusted",
}


@pytest.fixture
def relay() -> ControllableRelay:
    return ControllableRelay(world_events())


@pytest.fixture
async def client(relay: ControllableRelay, tmp_path: Path) -> AsyncIterator[AsyncTestClient[Litestar]]:
    container = container_for_tests(
        settings_for_tests(tmp_path, wot_seeds=(PUB["seed"],)),
        clock=FixedClock(NOW),
        relay=relay,
        # A short request deadline, so the "relay down" answer comes at once.
        wot_settings=WotSettings(seeds=(PUB["seed"],), request_deadline=0.2),
    )
    async with client_for(container) as test_client:
        yield test_client


async def test_score_by_hex_or_npub_has_exactly_the_documented_fields(
    client: AsyncTestClient[Litestar],
) -> None:
    by_hex = await client.get(f"/api/v1/wot/{PUB['carol']}")
    by_npub = await client.get(f"/api/v1/wot/{encode_npub(PUB['carol'])}")

    assert by_hex.status_code == by_npub.status_code == 200
    body = by_hex.json()
    assert set(body) == FIELDS
    assert body == by_npub.json()
    assert (body["pubkey"], body["npub"]) == (PUB["carol"], encode_npub(PUB["carol"]))
    assert (body["followers_count"], body["following_count"], body["wot_depth"]) == (2, 1, 2)
    assert body["computed_at"] == "2025-06-01T00:00:00Z"
    assert datetime.fromisoformat(body["computed_at"]) == NOW
    assert body["stale"] is False


async def test_beyond_max_depth_the_depth_is_null(client: AsyncTestClient[Litestar]) -> None:
    body = (await client.get(f"/api/v1/wot/{PUB['xavier']}")).json()

    assert body["wot_depth"] is None
    assert body["trust_score"] == 0.0


async def test_a_bad_pubkey_is_a_problem_not_a_crash(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/api/v1/wot/npub1notreally")

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 422


async def test_w1_relay_down_with_nothing_cached_is_503_with_retry_after(
    client: AsyncTestClient[Litestar], relay: ControllableRelay
) -> None:
    relay.mode = "down"

    response = await client.get(f"/api/v1/wot/{PUB['carol']}")

    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"  # the relay port's own suggestion
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_batch_answers_in_order(client: AsyncTestClient[Litestar]) -> None:
    response = await client.post(
        "/api/v1/wot/batch", json={"pubkeys": [PUB["dave"], encode_npub(PUB["seed"])]}
    )

    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["pubkey"] for item in items] == [PUB["dave"], PUB["seed"]]
    assert all(set(item) == FIELDS | {"status"} and item["status"] == "ok" for item in items)


async def test_batch_over_one_hundred_is_rejected(client: AsyncTestClient[Litestar]) -> None:
    response = await client.post("/api/v1/wot/batch", json={"pubkeys": [PUB["dave"]] * 101})

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_batch_names_the_bad_entry(client: AsyncTestClient[Litestar]) -> None:
    response = await client.post("/api/v1/wot/batch", json={"pubkeys": [PUB["dave"], "nope"]})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "pubkeys[1]"
