"""The principal dependency over HTTP: who is calling, or a 401 that says why."""

import pytest

pytestmark = pytest.mark.integration


async def test_a_signed_in_user_reads_their_account(api):
    alice = await api.sign_in()

    response = await api.client.get("/api/v1/me", headers=alice.headers)

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(alice.user.id)
    assert body["pubkey"] == alice.pubkey
    assert body["npub"].startswith("npub1")
    assert body["role"] == "user"
    assert body["lnurl_linked"] is False
    assert body["subscription"] is None
    assert body["nip05"] == []


async def test_no_credential_is_401_problem_with_www_authenticate(api):
    response = await api.client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "Bearer" in response.headers["www-authenticate"]
    assert "Nostr" in response.headers["www-authenticate"]
    assert response.json()["status"] == 401


async def test_an_unknown_scheme_is_401(api):
    response = await api.client.get("/api/v1/me", headers={"Authorization": "Basic dXNlcjpwYXNz"})

    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]


async def test_api_keys_are_refused_until_they_are_issued(api):
    response = await api.client.get("/api/v1/me", headers={"X-API-Key": "nid_live_whatever"})

    assert response.status_code == 401
