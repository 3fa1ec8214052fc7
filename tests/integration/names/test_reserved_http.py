"""N9 over HTTP: a reserved name's look-alikes are refused, and availability says which name they pass for."""

import pytest

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("name", "reserved"), [("adm1n", "admin"), ("support-team", "support"), ("Nostr_ID", "nostr-id")]
)
async def test_n9_reserved_lookalikes_are_422_and_not_available(api, name, reserved) -> None:  # type: ignore[no-untyped-def]
    alice = await api.sign_in()
    availability = await api.client.get(
        "/api/v1/nip05/availability", params={"name": name}, headers=alice.headers
    )
    assert availability.status_code == 200
    assert availability.json()["available"] is False and f"'{reserved}'" in availability.json()["reason"]
    refused = await api.client.post("/api/v1/nip05", json={"name": name}, headers=alice.headers)
    assert refused.status_code == 422
    assert f"'{reserved}'" in refused.json()["detail"]
