"""Consumer contract: what the relay pool expects of a relay's NIP-11 information document."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pact import Pact, match

from adapters.relay.nip11 import fetch_information

PACTS = Path(__file__).parent / "pacts"


CONSUMER, PROVIDER = "nostr-id", "nostr-relay-nip11"


@pytest.fixture(scope="module")
def fresh_pact_file() -> None:
    (PACTS / f"{CONSUMER}-{PROVIDER}.json").unlink(missing_ok=True)


@pytest.fixture
def pact(fresh_pact_file: None) -> Iterator[Pact]:
    """One mock provider per test; every test adds its interactions to the same pact file."""
    contract = Pact(CONSUMER, PROVIDER).with_specification("V4")
    yield contract
    contract.write_file(PACTS, overwrite=False)


def _ws(http_url: str) -> str:
    return "ws://" + http_url.removeprefix("http://").rstrip("/")


async def test_reads_limits_and_count_support(pact: Pact) -> None:
    (
        pact.upon_receiving("a request for the relay information document")
        .with_request("GET", "/")
        .with_header("Accept", "application/nostr+json")
        .will_respond_with(200)
        .with_header("Content-Type", "application/nostr+json")
        .with_body(
            {
                "name": match.str("a relay"),
                "supported_nips": match.each_like(45),
                "limitation": {
                    "max_limit": match.int(500),
                    "max_subscriptions": match.int(20),
                    "auth_required": match.bool(False),
                },
            },
            content_type="application/nostr+json",
        )
    )
    with pact.serve() as server:
        async with httpx.AsyncClient(timeout=5) as client:
            information = await fetch_information(client, _ws(str(server.url)))

    assert information is not None
    assert information.supports_count is True
    assert information.limitation.max_limit == 500
    assert information.limitation.max_subscriptions == 20
    assert information.limitation.auth_required is False


async def test_a_relay_without_a_document_is_no_error(pact: Pact) -> None:
    (
        pact.upon_receiving("a request for the information document of a relay that has none")
        .given("the relay publishes no information document")
        .with_request("GET", "/")
        .with_header("Accept", "application/nostr+json")
        .will_respond_with(404)
    )
    with pact.serve() as server:
        async with httpx.AsyncClient(timeout=5) as client:
            information = await fetch_information(client, _ws(str(server.url)))

    assert information is None
