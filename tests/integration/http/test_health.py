"""Health probes against real dependencies: PostgreSQL that vanishes and comes back, Redis down."""

import asyncio

import pytest
from litestar.testing import AsyncTestClient

from adapters.http.app import create_app
from bootstrap.container import Container
from bootstrap.settings import load_settings
from tests.support.tcp_proxy import database_proxy, dsn_through, free_port

pytestmark = pytest.mark.integration


async def _ready_status(client: AsyncTestClient) -> tuple[int, dict]:
    response = await client.get("/health/ready")
    return response.status_code, response.json()


async def _recovers(client: AsyncTestClient, attempts: int = 120) -> bool:
    for _ in range(attempts):
        if (await _ready_status(client))[1]["status"] == "ok":
            return True
        await asyncio.sleep(0.5)
    return False


async def test_ready_when_every_dependency_answers(postgres_dsn, redis_url):
    settings = load_settings(
        {"DATABASE_URL": postgres_dsn, "REDIS_URL": redis_url, "RELAY_URLS": "memory://"}
    )
    async with AsyncTestClient(create_app(Container(settings=settings))) as client:
        status, body = await _ready_status(client)
    assert status == 200
    assert body == {
        "status": "ok",
        "checks": {"postgres": "ok", "cache": "ok", "relay": "ok", "schema": "ok"},
    }


async def test_f3_an_unreachable_database_degrades_readiness_without_failing_it_and_recovers_by_itself(
    postgres_dsn,
):
    proxy = database_proxy(postgres_dsn)
    settings = load_settings(
        {"DATABASE_URL": dsn_through(postgres_dsn, proxy.port), "RELAY_URLS": "memory://"}
    )
    async with AsyncTestClient(create_app(Container(settings=settings))) as client:
        assert (await client.get("/health/live")).status_code == 200
        status, body = await _ready_status(client)
        assert (status, body["status"]) == (200, "degraded")
        assert body["checks"] == {
            "postgres": "unavailable",
            "cache": "ok",
            "relay": "ok",
            "schema": "unavailable",
        }

        proxy.start()
        try:
            assert await _recovers(client)

            proxy.stop()
            status, body = await _ready_status(client)
            assert (status, body["status"]) == (200, "degraded")
            assert body["checks"]["postgres"] == "unavailable"
        finally:
            proxy.close()


async def test_f3_redis_down_names_the_cache_and_keeps_the_process_in_the_balancer(postgres_dsn):
    settings = load_settings(
        {
            "DATABASE_URL": postgres_dsn,
            "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
            "RELAY_URLS": "memory://",
        }
    )
    async with AsyncTestClient(create_app(Container(settings=settings))) as client:
        assert (await client.get("/health/live")).status_code == 200
        status, body = await _ready_status(client)
    assert (status, body["status"]) == (200, "degraded")
    assert body["checks"] == {"postgres": "ok", "cache": "unavailable", "relay": "ok", "schema": "ok"}


async def test_errors_are_problem_json_without_internals(postgres_dsn):
    settings = load_settings({"DATABASE_URL": postgres_dsn, "RELAY_URLS": "memory://"})
    async with AsyncTestClient(create_app(Container(settings=settings))) as client:
        response = await client.get("/no/such/path")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 404
    assert set(body) >= {"type", "title", "status", "detail"}
    assert "Traceback" not in response.text


async def test_metrics_count_requests_by_route(postgres_dsn):
    settings = load_settings({"DATABASE_URL": postgres_dsn, "RELAY_URLS": "memory://"})
    async with AsyncTestClient(create_app(Container(settings=settings))) as client:
        await client.get("/health/live")
        await client.get("/health/live")
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert 'nostr_id_http_requests_total{method="GET",route="/health/live",status="200"} 2.0' in response.text


async def test_schema_is_served(postgres_dsn):
    settings = load_settings({"DATABASE_URL": postgres_dsn, "RELAY_URLS": "memory://"})
    async with AsyncTestClient(create_app(Container(settings=settings))) as client:
        response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    assert "/health/ready" in response.json()["paths"]
