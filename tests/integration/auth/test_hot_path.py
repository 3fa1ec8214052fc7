"""The session verdict on the hot path: a warm bearer request needs no PostgreSQL, and a change
made by one app (process) is heard by another within a second, through Redis."""

import asyncio
import time

import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from adapters.cache.redis_cache import RedisCache
from adapters.http.app import create_app
from application.auth.authenticate import Credentials
from bootstrap.container import Container
from bootstrap.settings import load_settings
from domain.auth.users import UserRole
from tests.fixtures.auth import TEST_PUBLIC_URL
from tests.support.tcp_proxy import dsn_through

pytestmark = pytest.mark.integration

ME = f"{TEST_PUBLIC_URL}/api/v1/me"


@pytest.fixture
def api_settings_env(api_settings_env, postgres_proxy):
    """The `api` app reaches PostgreSQL through a proxy the test can cut."""
    return {
        **api_settings_env,
        "DATABASE_URL": dsn_through(api_settings_env["DATABASE_URL"], postgres_proxy.port),
    }


def _credentials(token: str) -> Credentials:
    return Credentials(method="GET", url=ME, authorization=f"Bearer {token}")


@pytest.mark.parametrize("api_cache", ["memory", "redis"], indirect=True)
async def test_a_warm_bearer_request_does_not_touch_postgresql(api, postgres_proxy):
    alice = await api.sign_in()
    authenticate = api.container.auth.authenticate
    assert (await api.run(lambda: authenticate()(_credentials(alice.access_token)))).user_id == alice.user.id

    postgres_proxy.stop()
    principal = await api.run(lambda: authenticate()(_credentials(alice.access_token)))

    assert principal.user_id == alice.user.id
    assert principal.session_id == alice.session_id
    assert (await api.client.get("/api/v1/me", headers=alice.headers)).status_code == 503


@pytest.mark.parametrize("api_cache", ["redis"], indirect=True)
async def test_another_process_answers_a_bearer_request_from_the_shared_cache(
    api, api_settings_env, postgres_proxy, redis_url, redis_namespace
):
    alice = await api.sign_in()
    await api.run(lambda: api.container.auth.authenticate()(_credentials(alice.access_token)))
    postgres_proxy.stop()

    other = Container(settings=load_settings(api_settings_env))
    other.cache.override(providers.Singleton(RedisCache.from_url, redis_url, namespace=redis_namespace))
    async with AsyncTestClient(create_app(other), base_url=TEST_PUBLIC_URL) as client:
        principal = await _on(client, lambda: other.auth.authenticate()(_credentials(alice.access_token)))

    assert principal.user_id == alice.user.id


async def _on(client, work):
    return await asyncio.to_thread(client.blocking_portal.call, work)


async def _wait_until_one_second_after(moment: float) -> None:
    await asyncio.sleep(max(0.0, moment + 1.0 - time.monotonic()))


@pytest.fixture
async def second_app(api_settings_env, redis_url, redis_namespace):
    """Another app on the same PostgreSQL and the same Redis namespace: a second process."""
    other = Container(settings=load_settings(api_settings_env))
    other.cache.override(providers.Singleton(RedisCache.from_url, redis_url, namespace=redis_namespace))
    async with AsyncTestClient(create_app(other), base_url=TEST_PUBLIC_URL) as client:
        yield client


@pytest.mark.parametrize("api_cache", ["redis"], indirect=True)
async def test_j6_logout_in_one_process_is_heard_by_another_within_a_second(api, second_app):
    alice = await api.sign_in()
    assert (await second_app.get("/api/v1/me", headers=alice.headers)).status_code == 200
    for _ in range(3):  # the second process now answers from its own memory
        assert (await second_app.get("/api/v1/me", headers=alice.headers)).status_code == 200

    assert (await api.client.post("/api/v1/auth/logout", headers=alice.headers)).status_code == 204
    logged_out_at = time.monotonic()
    await _wait_until_one_second_after(logged_out_at)

    response = await second_app.get("/api/v1/me", headers=alice.headers)
    assert response.status_code == 401
    assert "session has ended" in response.json()["detail"]


@pytest.mark.parametrize("api_cache", ["redis"], indirect=True)
async def test_j6_suspension_in_one_process_is_heard_by_another_within_a_second(api, second_app):
    admin = await api.sign_in(role=UserRole.ADMIN)
    alice = await api.sign_in()
    assert (await second_app.get("/api/v1/me", headers=alice.headers)).status_code == 200

    suspended = await api.client.post(f"/api/v1/admin/users/{alice.user.id}/suspend", headers=admin.headers)
    assert suspended.status_code == 200
    suspended_at = time.monotonic()
    await _wait_until_one_second_after(suspended_at)

    response = await second_app.get("/api/v1/me", headers=alice.headers)
    assert response.status_code == 401
    assert response.json()["detail"] == "the session has ended; sign in again"
