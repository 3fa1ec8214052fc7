"""`?viewer=` on the Web of Trust endpoints (V1), on the app the service runs with a swapped relay."""

from collections.abc import AsyncIterator
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

# From the seed: alice 1, bob 1, carol 2, dave 2, erin 3, xavier none. From bob: dave 1, carol 1, erin 2.


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[AsyncTestClient[Litestar]]:
    container = container_for_tests(
        settings_for_tests(tmp_path, wot_seeds=(PUB["seed"],)),
        clock=FixedClock(NOW),
        relay=ControllableRelay(world_events()),
        wot_settings=WotSettings(seeds=(PUB["seed"],), request_deadline=2.0),
    )
    async with client_for(container) as test_client:
        yield test_client


async def test_v1_viewer_query_measures_depth_and_trust_from_the_viewer(
    client: AsyncTestClient[Litestar],
) -> None:
    plain = (await client.get(f"/api/v1/wot/{PUB['erin']}")).json()
    viewed = (
        await client.get(f"/api/v1/wot/{PUB['erin']}", params={"viewer": encode_npub(PUB["bob"])})
    ).json()
    alice = (await client.get(f"/api/v1/wot/{PUB['alice']}", params={"viewer": PUB["bob"]})).json()
    itself = (await client.get(f"/api/v1/wot/{PUB['bob']}", params={"viewer": PUB["bob"]})).json()

    assert (plain["wot_depth"], viewed["wot_depth"]) == (3, 2)
    assert (alice["wot_depth"], alice["trust_score"]) == (None, 0.0)
    assert itself["wot_depth"] == 0 and itself["trust_score"] == 1.0
    assert {k: v for k, v in viewed.items() if k not in ("wot_depth", "trust_score")} == {
        k: v for k, v in plain.items() if k not in ("wot_depth", "trust_score")
    }


async def test_v1_batch_with_a_viewer(client: AsyncTestClient[Litestar]) -> None:
    answer = await client.post(
        "/api/v1/wot/batch", json={"pubkeys": [PUB["dave"], PUB["alice"]], "viewer": PUB["bob"]}
    )
    plain = await client.post("/api/v1/wot/batch", json={"pubkeys": [PUB["dave"], PUB["alice"]]})

    assert answer.status_code == plain.status_code == 200
    assert [item["wot_depth"] for item in answer.json()["items"]] == [1, None]
    assert [item["wot_depth"] for item in plain.json()["items"]] == [2, 1]


async def test_v1_a_malformed_viewer_is_a_422_problem(client: AsyncTestClient[Litestar]) -> None:
    by_query = await client.get(f"/api/v1/wot/{PUB['erin']}", params={"viewer": "npub1nope"})
    by_body = await client.post("/api/v1/wot/batch", json={"pubkeys": [PUB["dave"]], "viewer": "zz"})

    assert by_query.status_code == by_body.status_code == 422
    assert by_query.headers["content-type"].startswith("application/problem+json")
    assert by_body.headers["content-type"].startswith("application/problem+json")


async def test_v2_explain_gives_paths_followers_and_every_reason(client: AsyncTestClient[Litestar]) -> None:
    answer = await client.get(f"/api/v1/wot/{PUB['carol']}/explain")
    from_bob = await client.get(
        f"/api/v1/wot/{encode_npub(PUB['carol'])}/explain", params={"viewer": PUB["bob"]}
    )
    bad = await client.get(f"/api/v1/wot/{PUB['carol']}/explain", params={"viewer": "nope"})

    assert answer.status_code == from_bob.status_code == 200
    body = answer.json()
    assert sorted(body["paths"]) == sorted(
        [[PUB["seed"], PUB["alice"], PUB["carol"]], [PUB["seed"], PUB["bob"], PUB["carol"]]]
    )
    assert from_bob.json()["paths"] == [[PUB["bob"], PUB["carol"]]]
    assert {f["pubkey"] for f in body["top_followers"]} == {PUB["alice"], PUB["bob"]}
    assert [c["reason"] for c in body["bot_reasons"]] == [
        "no_trusted_follower",
        "mass_following",
        "young_account",
        "implausible_note_rate",
        "no_profile",
        "reported_by_trusted",
    ]
    assert {"reason": "mass_following", "value": 1.0, "threshold": 750.0, "holds": False} in body[
        "bot_reasons"
    ]
    assert bad.status_code == 422
