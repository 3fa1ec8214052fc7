"""An API key's rate limit is its owner's plan's rate, carried on the key's cached verdict: no
PostgreSQL round trip per request, and a change of subscription (settlement, expiry) is heard at once."""

from datetime import timedelta

import pytest

from domain.billing.plans import DEFAULT_PLANS
from domain.nostr.signing import generate_secret_key, public_key_of
from tests.support.tcp_proxy import dsn_through

pytestmark = pytest.mark.integration
FREE = next(plan for plan in DEFAULT_PLANS if plan.is_free)
PRO = next(plan for plan in DEFAULT_PLANS if plan.id == "pro-monthly")


@pytest.fixture
def api_settings_env(api_settings_env, postgres_proxy):
    """The `api` app reaches PostgreSQL through a proxy the test can cut."""
    return {
        **api_settings_env,
        "DATABASE_URL": dsn_through(api_settings_env["DATABASE_URL"], postgres_proxy.port),
    }


async def _key(api, user) -> str:
    created = await api.client.post(
        "/api/v1/api-keys", json={"name": "ci", "scopes": ["wot:read"]}, headers=user.headers
    )
    assert created.status_code == 201, created.text
    return created.json()["key"]


async def _limit_of(api, key: str) -> int:
    """The limit the rate limiter charged the request to (whatever the endpoint answered)."""
    pubkey = public_key_of(generate_secret_key())
    response = await api.client.get(f"/api/v1/wot/{pubkey}", headers={"X-API-Key": key})
    return int(response.headers["ratelimit-limit"])


async def _pay_pro(api, user) -> None:
    ordered = await api.client.post(
        "/api/v1/subscriptions", json={"plan_id": PRO.id, "provider": "fake"}, headers=user.headers
    )
    assert ordered.status_code == 201, ordered.text
    payment_id = ordered.json()["payment"]["id"]
    settled = await api.client.post(f"/api/v1/payments/{payment_id}/fake-settle", headers=user.headers)
    assert settled.status_code == 200 and settled.json()["status"] == "paid", settled.text


@pytest.mark.parametrize("api_cache", ["memory", "redis"], indirect=True)
async def test_r2_a_keys_limit_follows_its_owners_plan_through_settlement_and_expiry(api):
    assert FREE.quotas.api_requests_per_minute != PRO.quotas.api_requests_per_minute
    alice = await api.sign_in()
    key = await _key(api, alice)
    assert await _limit_of(api, key) == FREE.quotas.api_requests_per_minute

    await _pay_pro(api, alice)
    assert await _limit_of(api, key) == PRO.quotas.api_requests_per_minute

    api.clock.advance(PRO.period + timedelta(minutes=1))
    assert await api.run(lambda: api.container.billing.end_subscriptions()()) >= 1
    assert await _limit_of(api, key) == FREE.quotas.api_requests_per_minute


@pytest.mark.parametrize("api_cache", ["memory", "redis"], indirect=True)
async def test_r2_the_plan_rate_needs_no_postgresql_on_a_warm_request(api, postgres_proxy):
    alice = await api.sign_in()
    await _pay_pro(api, alice)
    key = await _key(api, alice)
    assert await _limit_of(api, key) == PRO.quotas.api_requests_per_minute

    postgres_proxy.stop()
    assert await _limit_of(api, key) == PRO.quotas.api_requests_per_minute


@pytest.mark.parametrize("api_cache", ["memory"], indirect=True)
async def test_r2_keys_of_another_user_keep_their_own_plans_rate(api):
    alice, bob = await api.sign_in(), await api.sign_in()
    alice_key, bob_key = await _key(api, alice), await _key(api, bob)
    await _pay_pro(api, alice)
    assert await _limit_of(api, alice_key) == PRO.quotas.api_requests_per_minute
    assert await _limit_of(api, bob_key) == FREE.quotas.api_requests_per_minute
