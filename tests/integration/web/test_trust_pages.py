"""The trust pages over the real app: a look-up leads to the npub's page; relays that cannot answer
give a page that says so (503 with Retry-After), never a 500 (W1)."""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.nostr.nip19 import encode_npub
from domain.nostr.signing import generate_secret_key, public_key_of
from tests.support.app import client_for, container_for_tests, settings_for_tests
from tests.support.hostile_relay import hostile_relay

pytestmark = pytest.mark.integration
DEADLINE = 1.0


@pytest.fixture
def silent_relay() -> Iterator[tuple[str, str]]:
    yield from hostile_relay("silent")


async def test_w1_relays_that_never_answer_give_a_page_saying_so_within_the_deadline(
    silent_relay: tuple[str, str], tmp_path: Path
) -> None:
    url, _ = silent_relay
    seed = public_key_of(generate_secret_key())
    settings = settings_for_tests(
        tmp_path, relay_urls=(url,), wot_seeds=(seed,), wot_request_deadline=DEADLINE
    )
    npub = encode_npub(public_key_of(generate_secret_key()))
    async with client_for(container_for_tests(settings)) as client:
        async with asyncio.timeout(DEADLINE * 4):
            answer = await client.get(f"/trust/{npub}")

    assert answer.status_code == 503
    assert int(answer.headers["retry-after"]) >= 1
    assert answer.headers["content-type"].startswith("text/html")
    assert "The relays could not answer in time" in answer.text and npub in answer.text


async def test_a_look_up_by_hex_leads_to_the_npubs_page_and_a_malformed_one_is_refused(
    tmp_path: Path,
) -> None:
    pubkey = public_key_of(generate_secret_key())
    async with client_for(container_for_tests(settings_for_tests(tmp_path))) as client:
        found = await client.get("/trust", params={"pubkey": pubkey.upper()}, follow_redirects=False)
        by_hex = await client.get(f"/trust/{pubkey}", follow_redirects=False)
        refused = await client.get("/trust", params={"pubkey": "npub1nope"})
        unknown = await client.get("/trust/not-a-key")

    assert found.status_code == 303 and found.headers["location"] == f"/trust/{encode_npub(pubkey)}"
    assert by_hex.status_code == 301 and by_hex.headers["location"] == f"/trust/{encode_npub(pubkey)}"
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    assert unknown.status_code == 404 and 'role="alert"' in unknown.text


async def test_r2_the_trust_figures_pages_are_charged_as_anonymous_api_requests(tmp_path: Path) -> None:
    settings = settings_for_tests(tmp_path, rate_limit_anonymous=2)
    npub = encode_npub(public_key_of(generate_secret_key()))
    async with client_for(container_for_tests(settings)) as client:
        figures = [await client.get(f"/trust/{npub}") for _ in range(3)]
        api = await client.get(f"/api/v1/wot/{npub}")
        form = await client.get("/trust")

    assert all(answer.status_code != 429 for answer in figures[:2])
    assert figures[2].status_code == 429 and int(figures[2].headers["retry-after"]) >= 1
    assert api.status_code == 429
    assert form.status_code == 200
