"""T4 at the edge: sizes a user controls on a name are 422 with `errors`, and `/schema` states them."""

import pytest

from domain.names.custom_domains import MAX_DOMAIN_LENGTH
from domain.names.nip05 import MAX_RELAY_URL_LENGTH, MAX_RELAYS

pytestmark = pytest.mark.integration
NAMES = "/api/v1/nip05"


def relay_url(length: int) -> str:
    return "wss://relay.example/" + "x" * (length - len("wss://relay.example/"))


@pytest.mark.parametrize(
    "body",
    [
        {"name": "alice", "relays": [relay_url(MAX_RELAY_URL_LENGTH + 1)]},
        {"name": "alice", "relays": [relay_url(495_000)]},
        {"name": "alice", "relays": [relay_url(30)] * (MAX_RELAYS + 1)},
        {"name": "alice", "domain": "a" * (MAX_DOMAIN_LENGTH + 1)},
    ],
)
async def test_t4_sizes_beyond_their_bounds_are_422_with_errors(api, body) -> None:  # type: ignore[no-untyped-def]
    alice = await api.sign_in()
    refused = await api.client.post(NAMES, json=body, headers=alice.headers)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["errors"]
    assert (await api.client.get(NAMES, headers=alice.headers)).json()["items"] == []


async def test_t4_a_relay_url_of_the_largest_size_is_accepted_and_the_schema_states_the_bounds(api) -> None:  # type: ignore[no-untyped-def]
    alice = await api.sign_in()
    created = await api.client.post(
        NAMES, json={"name": "alice", "relays": [relay_url(MAX_RELAY_URL_LENGTH)]}, headers=alice.headers
    )
    assert created.status_code == 201
    schemas = (await api.client.get("/schema/openapi.json")).json()["components"]["schemas"]
    relays = schemas["RegisterNameRequest"]["properties"]["relays"]
    assert (relays["maxItems"], relays["items"]["maxLength"]) == (MAX_RELAYS, MAX_RELAY_URL_LENGTH)
