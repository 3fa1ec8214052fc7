"""`nostr-id wot score` prints the figures from the container's use case, named as the API names them."""

import json
from pathlib import Path

import pytest

from adapters.relay.memory_relay import MemoryRelay
from bootstrap.cli import wot_score
from bootstrap.container import Container
from domain.nostr.nip19 import encode_npub
from domain.shared.clock import FixedClock
from tests.support.app import container_for_tests, settings_for_tests
from tests.unit.wot.world import NOW, PUB, world_events

API_FIELDS = [
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
    "muted_by_trusted",
    "reported_by_trusted",
    "stale",
]


@pytest.fixture
def container(tmp_path: Path) -> Container:
    settings = settings_for_tests(tmp_path, wot_seeds=(PUB["seed"],))
    return container_for_tests(settings, relay=MemoryRelay(world_events()), clock=FixedClock(NOW))


async def test_json_has_the_fields_of_the_api_answer(
    container: Container, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await wot_score(container, encode_npub(PUB["carol"]), as_json=True) == 0

    printed = json.loads(capsys.readouterr().out)
    assert list(printed) == API_FIELDS
    assert (printed["pubkey"], printed["npub"]) == (PUB["carol"], encode_npub(PUB["carol"]))
    assert (printed["followers_count"], printed["following_count"], printed["wot_depth"]) == (2, 1, 2)
    assert (printed["computed_at"], printed["stale"], printed["bot_reasons"]) == (
        "2025-06-01T00:00:00Z",
        False,
        [],
    )


async def test_text_is_one_aligned_line_per_field(
    container: Container, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await wot_score(container, PUB["carol"], as_json=False) == 0

    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == API_FIELDS
    assert lines[4] == "wot_depth            2"


async def test_a_bad_pubkey_exits_2(container: Container, capsys: pytest.CaptureFixture[str]) -> None:
    assert await wot_score(container, "carol", as_json=False) == 2
    assert capsys.readouterr().err.startswith("nostr-id: ")
