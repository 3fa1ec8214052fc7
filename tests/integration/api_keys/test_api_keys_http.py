"""API keys over HTTP against the real app and PostgreSQL: issue, use, scope, revoke, usage."""

import hashlib
from datetime import UTC, date, datetime
from uuid import UUID

import msgspec
import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from adapters.http.app import create_app
from adapters.postgres.unit_of_work import PostgresUnitOfWork
from bootstrap.container import Container
from bootstrap.settings import load_settings
from domain.audit.entries import AuditLogQuery
from domain.billing.plans import DEFAULT_PLANS, PlanCatalog
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event
from tests.fixtures.auth import TEST_PUBLIC_URL

pytestmark = pytest.mark.integration
FREE_PLAN = next(plan for plan in DEFAULT_PLANS if plan.is_free)


def _pubkey() -> str:
    return public_key_of(generate_secret_key())


async def _create(api, user, scopes=("wot:read",), name="crawler"):
    response = await api.client.post(
        "/api/v1/api-keys", json={"name": name, "scopes": list(scopes)}, headers=user.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_k1_a_key_carries_at_least_128_random_bits_is_shown_once_and_stored_as_a_digest(
    api, postgres_pool
):
    alice = await api.sign_in()

    first = await _create(api, alice)
    second = await _create(api, alice)

    key = first["key"]
    assert key.startswith("nid_") and len(key) == 4 + 64
    assert int(key[4:], 16) != int(second["key"][4:], 16)
    assert first["prefix"] == key[:12] and first["scopes"] == ["wot:read"]
    listed = (await api.client.get("/api/v1/api-keys", headers=alice.headers)).json()["items"]
    assert {item["id"] for item in listed} == {first["id"], second["id"]}
    assert all("key" not in item for item in listed)
    async with PostgresUnitOfWork(postgres_pool) as uow:
        stored = await uow.api_keys.get_by_hash(hashlib.sha256(key.encode()).hexdigest())
    assert stored is not None and str(stored.id) == first["id"]
    assert key not in repr(stored)


async def test_k1_a_key_reads_the_endpoints_of_its_scope_and_is_refused_elsewhere(api):
    alice = await api.sign_in()
    wot_key = (await _create(api, alice, ("wot:read",)))["key"]
    names_key = (await _create(api, alice, ("nip05:read",)))["key"]

    assert (
        await api.client.get(f"/api/v1/wot/{_pubkey()}", headers={"X-API-Key": wot_key})
    ).status_code == 200
    assert (
        await api.client.get(f"/api/v1/wot/{_pubkey()}", headers={"X-API-Key": names_key})
    ).status_code == 403
    assert (await api.client.get("/api/v1/me", headers={"X-API-Key": wot_key})).status_code == 403
    managing = await api.client.get("/api/v1/api-keys", headers={"X-API-Key": wot_key})
    assert managing.status_code == 403
    # Anonymous reads stay allowed.
    assert (await api.client.get(f"/api/v1/wot/{_pubkey()}")).status_code == 200


async def test_k1_a_key_with_a_known_prefix_but_another_secret_is_refused(api):
    alice = await api.sign_in()
    key = (await _create(api, alice))["key"]
    forged = key[:12] + ("0" if key[12] != "0" else "1") + key[13:]

    response = await api.client.get(f"/api/v1/wot/{_pubkey()}", headers={"X-API-Key": forged})

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_k1_a_revoked_key_is_refused_at_once(api):
    alice = await api.sign_in()
    created = await _create(api, alice)
    headers = {"X-API-Key": created["key"]}
    assert (await api.client.get(f"/api/v1/wot/{_pubkey()}", headers=headers)).status_code == 200

    revoked = await api.client.delete(f"/api/v1/api-keys/{created['id']}", headers=alice.headers)

    assert revoked.status_code == 204
    refused = await api.client.get(f"/api/v1/wot/{_pubkey()}", headers=headers)
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]
    listed = (await api.client.get("/api/v1/api-keys", headers=alice.headers)).json()["items"]
    assert listed[0]["revoked_at"] is not None
    # Revoking again changes nothing.
    assert (
        await api.client.delete(f"/api/v1/api-keys/{created['id']}", headers=alice.headers)
    ).status_code == 204


async def test_k2_a_user_cannot_see_revoke_or_read_the_usage_of_another_users_key(api):
    alice = await api.sign_in()
    bob = await api.sign_in()
    created = await _create(api, alice)

    assert (await api.client.get("/api/v1/api-keys", headers=bob.headers)).json()["items"] == []
    assert (
        await api.client.delete(f"/api/v1/api-keys/{created['id']}", headers=bob.headers)
    ).status_code == 404
    usage = await api.client.get(f"/api/v1/api-keys/{created['id']}/usage", headers=bob.headers)
    assert usage.status_code == 404
    # Alice's key still works.
    headers = {"X-API-Key": created["key"]}
    assert (await api.client.get(f"/api/v1/wot/{_pubkey()}", headers=headers)).status_code == 200


async def test_uses_of_a_key_are_metered_by_day_endpoint_and_status_class(api):
    alice = await api.sign_in()
    created = await _create(api, alice)
    headers = {"X-API-Key": created["key"]}
    for _ in range(3):
        assert (await api.client.get(f"/api/v1/wot/{_pubkey()}", headers=headers)).status_code == 200
    assert (await api.client.get("/api/v1/wot/not-a-pubkey", headers=headers)).status_code == 422

    await api.run(lambda: api.container.api_keys.flush_api_key_usage()())

    today = datetime.now(UTC).date().isoformat()
    response = await api.client.get(
        f"/api/v1/api-keys/{created['id']}/usage", params={"from": today, "to": today}, headers=alice.headers
    )
    assert response.status_code == 200
    assert response.json() == {
        "from": today,
        "to": today,
        "items": [
            {"day": today, "endpoint": "GET /api/v1/wot/{pubkey}", "status_class": "2xx", "count": 3},
            {"day": today, "endpoint": "GET /api/v1/wot/{pubkey}", "status_class": "4xx", "count": 1},
        ],
        "total": 4,
    }


async def test_a_usage_range_backwards_is_empty_and_one_too_long_is_cut_to_its_last_366_days(api):
    alice = await api.sign_in()
    created = await _create(api, alice)
    url = f"/api/v1/api-keys/{created['id']}/usage"

    backwards = await api.client.get(
        url, params={"from": "2026-03-02", "to": "2026-03-01"}, headers=alice.headers
    )
    too_long = await api.client.get(
        url, params={"from": "2024-01-01", "to": "2026-01-01"}, headers=alice.headers
    )
    from_the_first_day = await api.client.get(
        url, params={"from": "0001-01-01", "to": "0001-01-02"}, headers=alice.headers
    )

    assert backwards.status_code == too_long.status_code == from_the_first_day.status_code == 200
    assert backwards.json() == {"from": "2026-03-02", "to": "2026-03-01", "items": [], "total": 0}
    assert (too_long.json()["from"], too_long.json()["to"]) == ("2025-01-01", "2026-01-01")
    assert from_the_first_day.json()["from"] == "0001-01-01"


async def test_unknown_scopes_and_empty_names_are_refused(api):
    alice = await api.sign_in()

    unknown = await api.client.post(
        "/api/v1/api-keys", json={"name": "x", "scopes": ["admin"]}, headers=alice.headers
    )
    empty = await api.client.post(
        "/api/v1/api-keys", json={"name": "", "scopes": ["wot:read"]}, headers=alice.headers
    )

    assert unknown.status_code == 422 and "errors" in unknown.json()
    assert empty.status_code == 422


async def test_a1_creating_and_revoking_a_key_are_audited_with_actor_target_and_ip_never_the_key(
    api, postgres_pool
):
    alice = await api.sign_in()
    created = await _create(api, alice)
    await api.client.delete(f"/api/v1/api-keys/{created['id']}", headers=alice.headers)

    async with PostgresUnitOfWork(postgres_pool) as uow:
        entries = await uow.audit_log.search(AuditLogQuery(actor_user_id=alice.user.id, limit=100))
    actions = {entry.action: entry for entry in entries}
    for action in ("api_key.created", "api_key.revoked"):
        entry = actions[action]
        assert entry.actor_pubkey == alice.pubkey
        assert (entry.target_type, entry.target_id) == ("api_key", created["id"])
        # The test client is no IP peer: where it came from shows as its user agent.
        assert entry.user_agent == "testclient" and entry.occurred_at is not None
        assert created["key"] not in repr(entry)
        assert created["key"][12:] not in repr(entry)


async def test_t4_the_keys_of_one_account_share_its_plans_limit(api, api_container):
    # A key's limit is its owner's plan's rate, for the whole account: here a free plan of 2 a minute.
    quotas = msgspec.structs.replace(FREE_PLAN.quotas, api_requests_per_minute=2)
    free = msgspec.structs.replace(FREE_PLAN, quotas=quotas)
    api_container.plan_catalog.override(
        providers.Object(PlanCatalog(tuple(free if plan.is_free else plan for plan in DEFAULT_PLANS)))
    )
    alice = await api.sign_in()
    keys = []
    for name in ("one", "two"):
        created = await api.client.post(
            "/api/v1/api-keys", json={"name": name, "scopes": ["wot:read"]}, headers=alice.headers
        )
        keys.append(created.json()["key"])

    first = [
        (await api.client.get(f"/api/v1/wot/{_pubkey()}", headers={"X-API-Key": keys[0]})).status_code
        for _ in range(3)
    ]
    second = [
        (await api.client.get(f"/api/v1/wot/{_pubkey()}", headers={"X-API-Key": keys[1]})).status_code
        for _ in range(2)
    ]

    assert first == [200, 200, 429]
    assert second == [429, 429]


async def test_uses_counted_in_the_memory_cache_are_flushed_when_the_app_stops(
    api_settings_env, postgres_pool
):
    container = Container(settings=load_settings({**api_settings_env, "USAGE_FLUSH_INTERVAL": "3600"}))
    async with AsyncTestClient(create_app(container), base_url=TEST_PUBLIC_URL) as client:
        challenge = (await client.post("/api/v1/auth/challenge")).json()["challenge"]
        event = sign_event(
            generate_secret_key(),
            kind=22242,
            tags=[["relay", TEST_PUBLIC_URL], ["challenge", challenge]],
            content="",
            created_at=int(datetime.now(UTC).timestamp()),
        )
        login = (await client.post("/api/v1/auth/login", json={"event": msgspec.to_builtins(event)})).json()
        created = (
            await client.post(
                "/api/v1/api-keys",
                json={"name": "crawler", "scopes": ["wot:read"]},
                headers={"Authorization": f"Bearer {login['access_token']}"},
            )
        ).json()
        for _ in range(2):
            response = await client.get(f"/api/v1/wot/{_pubkey()}", headers={"X-API-Key": created["key"]})
            assert response.status_code == 200

    async with PostgresUnitOfWork(postgres_pool) as uow:
        usages = await uow.api_key_usage.list_for_key(UUID(created["id"]), date(2000, 1, 1), date(2100, 1, 1))
    assert sum(usage.count for usage in usages) == 2
