"""Rate limits over HTTP against the real app: on the memory cache and on the real Redis, and
with Redis gone (read limits fail open; the NIP-98 replay store fails closed)."""

import base64
import secrets
import time

import msgspec
import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from adapters.cache.redis_cache import RedisCache
from adapters.http.app import create_app
from adapters.postgres.unit_of_work import PostgresUnitOfWork
from application.auth.sign_in import SignInRequest
from application.rate_limits import RatePolicies, RatePolicy
from bootstrap.container import Container
from bootstrap.settings import load_settings
from domain.billing.plans import DEFAULT_PLANS, PlanCatalog
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event
from tests.fixtures.auth import TEST_PUBLIC_URL
from tests.support.concurrent_http import send_at_once
from tests.support.tcp_proxy import free_port

pytestmark = pytest.mark.integration

HOUR = 3600.0


def _policies(api_key: int, anonymous: int, sign_in: int) -> RatePolicies:
    # Limits per hour: a test's own run time cannot refill a quota, so counts are exact.
    return RatePolicies(
        api_key=RatePolicy(name="key", limit=api_key, period=HOUR),
        anonymous=RatePolicy(name="ip", limit=anonymous, period=HOUR),
        sign_in=RatePolicy(name="sign-in", limit=sign_in, period=HOUR),
    )


@pytest.fixture(params=["memory", "redis"])
def api_container(api_container, request):
    if request.param == "redis":
        url, namespace = request.getfixturevalue("redis_url"), request.getfixturevalue("redis_namespace")
        api_container.cache.override(
            providers.Singleton(RedisCache.from_url, url, namespace=namespace, socket_timeout=5.0)
        )
    return api_container


def _wot(pubkey: str | None = None) -> str:
    return f"/api/v1/wot/{pubkey or public_key_of(generate_secret_key())}"


class CountingUnitOfWork(PostgresUnitOfWork):
    """The real PostgreSQL unit of work, counting how often one is entered (a connection borrowed)."""

    entered = 0

    async def __aenter__(self) -> "CountingUnitOfWork":
        CountingUnitOfWork.entered += 1
        return await super().__aenter__()


async def test_t4_requests_with_unknown_keys_are_refused_by_the_address_bucket_without_reaching_postgresql(
    api, api_container
):
    api_container.api_keys.rate_policies.override(providers.Object(_policies(1000, 30, 1000)))
    api_container.unit_of_work.override(providers.Factory(CountingUnitOfWork, pool=api_container.db_pool))
    made_up = [f"nid_{secrets.token_hex(32)}" for _ in range(90)]
    CountingUnitOfWork.entered = 0

    responses = await send_at_once(
        api, TEST_PUBLIC_URL, [("GET", _wot(), {"headers": {"X-API-Key": key}}) for key in made_up]
    )

    statuses = [response.status_code for response in responses]
    assert statuses.count(401) == 30  # charged to the address, looked up, unknown
    assert statuses.count(429) == 60
    assert CountingUnitOfWork.entered == 30
    assert all(r.headers["ratelimit-limit"] == "30" for r in responses)


async def test_t4_r1_every_key_of_one_account_draws_on_one_plan_rate_under_concurrency(api, api_container):
    # The free plan allows 2 requests a minute: a burst of 2, then one every 30 s, longer than the test.
    free = next(plan for plan in DEFAULT_PLANS if plan.is_free)
    quotas = msgspec.structs.replace(free.quotas, api_requests_per_minute=2, api_keys=5)
    plans = tuple(msgspec.structs.replace(p, quotas=quotas) if p.is_free else p for p in DEFAULT_PLANS)
    api_container.plan_catalog.override(providers.Object(PlanCatalog(plans)))
    alice, bob = await api.sign_in(), await api.sign_in()
    keys = []
    for user in (alice,) * 5 + (bob,):
        created = await api.client.post(
            "/api/v1/api-keys", json={"name": "k", "scopes": ["wot:read"]}, headers=user.headers
        )
        assert created.status_code == 201, created.text
        keys.append(created.json()["key"])

    responses = await send_at_once(
        api, TEST_PUBLIC_URL, [("GET", _wot(), {"headers": {"X-API-Key": key}}) for key in keys[:5] * 8]
    )
    bobs = [await api.client.get(_wot(), headers={"X-API-Key": keys[5]}) for _ in range(3)]

    statuses = [response.status_code for response in responses]
    assert statuses.count(200) == 2
    assert statuses.count(429) == 38
    assert all(r.headers["ratelimit-limit"] == "2" for r in responses)
    # Another account's key has its own bucket.
    assert [r.status_code for r in bobs] == [200, 200, 429]


async def test_r1_of_1000_concurrent_requests_against_a_limit_of_100_exactly_100_pass(api, api_container):
    api_container.api_keys.rate_policies.override(providers.Object(_policies(10, 100, 10)))

    responses = await send_at_once(api, TEST_PUBLIC_URL, [("GET", "/api/v1/me", {})] * 1000)

    statuses = [response.status_code for response in responses]
    assert statuses.count(401) == 100  # let through, then refused for want of a credential
    assert statuses.count(429) == 900


async def test_r2_over_the_limit_is_429_problem_with_retry_after_and_ratelimit_headers(api, api_container):
    api_container.api_keys.rate_policies.override(providers.Object(_policies(10, 3, 10)))

    passed = [await api.client.get(_wot()) for _ in range(3)]
    refused = await api.client.get(_wot())

    assert [r.status_code for r in passed] == [200, 200, 200]
    assert [r.headers["ratelimit-remaining"] for r in passed] == ["2", "1", "0"]
    assert all(r.headers["ratelimit-limit"] == "3" for r in passed)
    assert 0 < int(passed[0].headers["ratelimit-reset"]) <= HOUR / 3
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["status"] == 429
    assert 0 < int(refused.headers["retry-after"]) <= HOUR / 3
    assert refused.headers["ratelimit-remaining"] == "0"
    # Health and metrics are not rate limited.
    assert (await api.client.get("/health/live")).status_code == 200


async def test_r2_sign_in_endpoints_are_stricter_than_reads(api, api_container):
    api_container.api_keys.rate_policies.override(providers.Object(_policies(10, 10, 2)))

    started = [await api.client.post("/api/v1/auth/lnurl", json={"action": "login"}) for _ in range(3)]
    callback = await api.client.get("/api/v1/auth/lnurl/callback", params={"tag": "login"})
    poll = await api.client.get(f"/api/v1/auth/lnurl/{started[0].json()['poll']}")
    read = await api.client.get(_wot())

    assert [r.status_code for r in started] == [201, 201, 429]
    assert started[0].headers["ratelimit-limit"] == "2"
    assert callback.status_code == 429
    # The browser's poll and ordinary reads are charged to the anonymous limit.
    assert poll.status_code == 200 and poll.headers["ratelimit-limit"] == "10"
    assert read.status_code == 200 and read.headers["ratelimit-limit"] == "10"


def _nip98(secret_key: str, url: str, method: str) -> str:
    event = sign_event(
        secret_key, kind=27235, tags=[["u", url], ["method", method]], content="", created_at=int(time.time())
    )
    return "Nostr " + base64.b64encode(msgspec.json.encode(event)).decode()


async def test_r3_redis_down_read_limits_fail_open_counted_and_the_replay_store_fails_closed(
    api_settings_env, postgres_dsn
):
    container = Container(settings=load_settings(api_settings_env))
    dead = f"redis://127.0.0.1:{free_port()}/0"
    container.cache.override(
        providers.Singleton(RedisCache.from_url, dead, namespace="r3", socket_timeout=0.5)
    )
    async with AsyncTestClient(create_app(container), base_url=TEST_PUBLIC_URL) as client:
        secret_key = generate_secret_key()
        challenge = await container.auth.issue_challenge()()
        event = sign_event(
            secret_key,
            kind=22242,
            tags=[["relay", TEST_PUBLIC_URL], ["challenge", challenge.challenge]],
            content="",
            created_at=int(time.time()),
        )
        signed = await container.auth.login()(SignInRequest(event=event))
        bearer = {"Authorization": f"Bearer {signed.access_token}"}

        read = await client.get("/api/v1/me", headers=bearer)
        replay_guarded = await client.get(
            "/api/v1/me", headers={"Authorization": _nip98(secret_key, f"{TEST_PUBLIC_URL}/api/v1/me", "GET")}
        )

        assert read.status_code == 200
        assert "ratelimit-limit" not in read.headers
        registry = container.metrics_registry()
        assert registry.get_sample_value("nostr_id_rate_limit_fail_open_total", {"policy": "ip"}) >= 1
        assert replay_guarded.status_code == 503
        assert "retry-after" in replay_guarded.headers
