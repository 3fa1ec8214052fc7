"""/.well-known/nostr.json against PostgreSQL and Redis, through the app as `nostr-id serve` builds it."""

import asyncio
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
import psycopg
import pytest
from msgspec import structs
from prometheus_client.parser import text_string_to_metric_families

from adapters.http import metrics as metrics_module
from adapters.http.app import create_app
from adapters.postgres.migrations import apply_migrations
from domain.audit.entries import Actor
from domain.names.custom_domains import CustomDomain
from tests.integration.names.support import DEFAULT_DOMAIN, add_user, names_container, serving
from tests.support.tcp_proxy import database_proxy, dsn_through, free_port

pytestmark = pytest.mark.integration
PATH = "/.well-known/nostr.json"
HANG_GUARD = 30


@pytest.fixture
def container(postgres_dsn, redis_cache):
    return names_container(postgres_dsn, redis_cache)


@pytest.fixture
async def client(container):
    async with serving(container) as client:
        yield client


async def _get(client, name=None, host=DEFAULT_DOMAIN, **headers):
    params = {"name": name} if name is not None else None
    return await client.get(PATH, params=params, headers={"host": host, **headers})


async def _verified_domain(container, user, domain: str) -> CustomDomain:
    record = await container.names.add_domain()(user.id, domain)
    async with container.unit_of_work() as uow:
        await uow.domains.update(record.mark_verified(record.created_at))
        await uow.commit()
    return record


async def test_d1_a_name_is_served_with_cors_lowercase_hex_and_its_relays(container, client):
    user = await add_user(container)
    await container.names.register_name()(user.id, "Alice", relays=["wss://relay.one", "wss://relay.two"])
    response = await _get(client, "alice")
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {
        "names": {"alice": user.pubkey},
        "relays": {user.pubkey: ["wss://relay.one", "wss://relay.two"]},
    }
    assert user.pubkey == user.pubkey.lower()
    assert "max-age" in response.headers["cache-control"] and response.headers["etag"]


async def test_d1_every_answer_carries_a_request_id_like_the_rest_of_the_api(container, client):
    user = await add_user(container)
    await container.names.register_name()(user.id, "traced")
    given = await _get(client, "traced", **{"x-request-id": "trace-42"})
    made = await _get(client, "nobody")
    preflight = await client.options(PATH, headers={"host": DEFAULT_DOMAIN})
    assert given.headers["x-request-id"] == "trace-42"
    assert len(made.headers["x-request-id"]) == 32
    assert preflight.headers["x-request-id"] != made.headers["x-request-id"]
    assert given.headers.get_list("x-request-id") == ["trace-42"]


async def test_d1_every_answer_is_counted_in_the_metrics_at_once(container, client):
    user = await add_user(container)
    await container.names.register_name()(user.id, "counted")
    first = await _get(client, "counted")
    await _get(client, "counted")
    await _get(client, "counted", **{"if-none-match": first.headers["etag"]})
    await client.options(PATH, headers={"host": DEFAULT_DOMAIN})
    text = (await client.get("/metrics")).text
    counts = {
        (sample.labels["method"], sample.labels["status"]): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "nostr_id_http_requests_total" and sample.labels["route"] == PATH
    }
    latencies = {
        sample.labels["method"]: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "nostr_id_http_request_seconds_count" and sample.labels["route"] == PATH
    }
    assert counts == {("GET", "200"): 2, ("GET", "304"): 1, ("OPTIONS", "204"): 1}
    assert latencies == {"GET": 3, "OPTIONS": 1}


@asynccontextmanager
async def _app_running(container):
    """The app `nostr-id serve` builds, its ASGI lifespan run on this test's loop, and a client on it."""
    app = create_app(container)
    events: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    replies: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    lifespan = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}}, events.get, replies.put)
    )
    await events.put({"type": "lifespan.startup"})
    assert (await replies.get())["type"] == "lifespan.startup.complete"
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        await events.put({"type": "lifespan.shutdown"})
        assert (await replies.get())["type"] == "lifespan.shutdown.complete"
        await lifespan


async def test_d1_answers_not_yet_written_are_written_at_shutdown(postgres_dsn, redis_cache, monkeypatch):
    monkeypatch.setattr(metrics_module, "FLUSH_INTERVAL", 3600.0)  # only the shutdown can write them
    container = names_container(postgres_dsn, redis_cache)
    registry = container.metrics_registry()
    labels = {"method": "GET", "route": PATH, "status": "200"}
    async with asyncio.timeout(HANG_GUARD), _app_running(container) as client:
        user = await add_user(container)
        await container.names.register_name()(user.id, "late")
        assert (await _get(client, "late")).status_code == 200
        assert (await _get(client, "late")).status_code == 200
        assert registry.get_sample_value("nostr_id_http_requests_total", labels) is None
    assert registry.get_sample_value("nostr_id_http_requests_total", labels) == 2


async def test_h1_nostr_json_is_documented_in_the_schema_with_its_answers(client):
    document = (await client.get("/schema/openapi.json")).json()
    operation = document["paths"][PATH]["get"]
    assert set(operation["responses"]) == {"200", "304", "503"}
    assert [parameter["name"] for parameter in operation["parameters"]] == ["name", "If-None-Match"]
    problem = operation["responses"]["503"]["content"]["application/problem+json"]["schema"]
    assert problem == {"$ref": "#/components/schemas/Problem"}
    assert "Problem" in document["components"]["schemas"]


async def test_d1_unknown_and_malformed_names_answer_no_names_with_cors(client):
    for name in ("nobody", "bad name", "ünïcode", "", None, "x" * 65):
        response = await _get(client, name)
        assert response.status_code == 200, name
        assert response.json() == {"names": {}}, name
        assert response.headers["access-control-allow-origin"] == "*"


async def test_d1_uppercase_request_names_find_the_lowercase_name(container, client):
    user = await add_user(container)
    await container.names.register_name()(user.id, "bob")
    response = await _get(client, "BoB")
    assert response.status_code == 200
    assert response.json()["names"] == {"bob": user.pubkey, "BoB": user.pubkey}


async def test_d1_preflight_other_methods_and_paths_carry_cors_and_never_redirect(client):
    preflight = await client.options(
        PATH, headers={"origin": "https://client.example", "host": DEFAULT_DOMAIN}
    )
    post = await client.post(PATH, headers={"host": DEFAULT_DOMAIN})
    slash = await client.get(PATH + "/", params={"name": "x"}, headers={"host": DEFAULT_DOMAIN})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "GET" in preflight.headers["access-control-allow-methods"]
    assert post.status_code == 405 and post.headers["access-control-allow-origin"] == "*"
    assert post.headers["content-type"] == "application/problem+json"
    assert not 300 <= slash.status_code < 400
    assert slash.headers["access-control-allow-origin"] == "*"


async def test_d1_etag_answers_304_on_a_match_and_changes_with_the_name(container, client):
    user = await add_user(container)
    record = await container.names.register_name()(user.id, "carol")
    first = await _get(client, "carol")
    etag = first.headers["etag"]
    again = await _get(client, "carol", **{"if-none-match": etag})
    assert again.status_code == 304
    assert again.headers["access-control-allow-origin"] == "*" and again.content == b""
    await container.names.update_name()(user.id, record.id, ["wss://new.relay"])
    changed = await _get(client, "carol", **{"if-none-match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert changed.json()["relays"] == {user.pubkey: ["wss://new.relay"]}


async def test_d1_custom_domains_are_served_by_host_header_once_verified(container, client):
    owner = await add_user(container)
    domain = await _verified_domain(container, owner, "dana-names.net")
    await container.names.register_name()(owner.id, "dana", domain="dana-names.net")
    await container.names.register_name()(owner.id, "_", domain="dana-names.net")
    pending = await container.names.add_domain()(owner.id, "pending-names.net")
    by_host = await _get(client, "dana", host="Dana-Names.NET")
    with_port = await _get(client, "dana", host="dana-names.net:443")
    root = await _get(client, "_", host="dana-names.net")
    on_default = await _get(client, "dana")
    unverified = await _get(client, "dana", host=pending.domain)
    await container.names.remove_domain()(owner.id, domain.id)
    removed = await _get(client, "dana", host="dana-names.net")
    assert by_host.json()["names"] == {"dana": owner.pubkey}
    assert with_port.json()["names"] == {"dana": owner.pubkey}
    assert root.json()["names"] == {"_": owner.pubkey}
    assert on_default.json() == {"names": {}}
    assert unverified.json() == {"names": {}}
    assert removed.json() == {"names": {}}


async def test_d1_suspended_released_and_expired_names_are_not_served(container, client):
    admin = await add_user(container)
    user = await add_user(container)
    suspended = await container.names.register_name()(user.id, "erin")
    released = await container.names.register_name()(user.id, "frank")
    expired = await container.names.register_name()(user.id, "gina")
    async with container.unit_of_work() as uow:
        await uow.nip05_names.update(
            structs.replace(expired, expires_at=expired.created_at - timedelta(seconds=1))
        )
        await uow.commit()
    assert (await _get(client, "erin")).json()["names"] == {"erin": user.pubkey}
    assert (await _get(client, "frank")).json()["names"] == {"frank": user.pubkey}
    await container.admin.suspend_name()(Actor(user_id=admin.id), suspended.id)
    await container.names.release_name()(user.id, released.id)
    assert (await _get(client, "erin")).json() == {"names": {}}
    assert (await _get(client, "frank")).json() == {"names": {}}
    assert (await _get(client, "gina")).json() == {"names": {}}


async def test_d1_a_suspended_accounts_names_are_not_served_until_the_suspension_is_lifted(container, client):
    admin = await add_user(container)
    user = await add_user(container)
    await container.names.register_name()(user.id, "hana")
    verified = await _verified_domain(container, user, "hana-names.net")
    await container.names.register_name()(user.id, "hana", domain=verified.domain)
    other = await add_user(container)
    await container.names.register_name()(other.id, "ivan")
    assert (await _get(client, "hana")).json()["names"] == {"hana": user.pubkey}
    assert (await _get(client, "hana", host="hana-names.net")).json()["names"] == {"hana": user.pubkey}

    await container.admin.set_suspension()(user.id, suspended=True, actor=Actor(user_id=admin.id))
    assert (await _get(client, "hana")).json() == {"names": {}}
    assert (await _get(client, "hana", host="hana-names.net")).json() == {"names": {}}
    assert (await _get(client, "ivan")).json()["names"] == {"ivan": other.pubkey}

    await container.admin.set_suspension()(user.id, suspended=False, actor=Actor(user_id=admin.id))
    assert (await _get(client, "hana")).json()["names"] == {"hana": user.pubkey}
    assert (await _get(client, "hana", host="hana-names.net")).json()["names"] == {"hana": user.pubkey}


async def test_d1_a_change_in_one_process_is_heard_by_another_within_a_second(postgres_dsn, redis_cache):
    # Two containers on one Redis namespace and one database: two processes of one deployment.
    first, second = names_container(postgres_dsn, redis_cache), names_container(postgres_dsn, redis_cache)
    async with serving(first) as one, serving(second) as two:
        user = await add_user(first)
        record = await first.names.register_name()(user.id, "hank")
        assert (await _get(two, "hank")).json()["names"] == {"hank": user.pubkey}
        assert (await _get(two, "hank")).json()["names"] == {"hank": user.pubkey}  # now from memory
        await first.names.release_name()(user.id, record.id)
        await asyncio.sleep(1.0)
        assert (await _get(two, "hank")).json() == {"names": {}}
        assert (await _get(one, "hank")).json() == {"names": {}}


async def test_d2_redis_down_names_are_served_from_postgresql(postgres_dsn):
    writer = names_container(postgres_dsn, None)
    async with serving(writer):
        user = await add_user(writer)
        await writer.names.register_name()(user.id, "ivy")
    dead_redis = names_container(postgres_dsn, None, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    async with serving(dead_redis) as client:
        async with asyncio.timeout(HANG_GUARD):
            first = await _get(client, "ivy")
            second = await _get(client, "ivy")
    assert first.status_code == second.status_code == 200
    assert second.json()["names"] == {"ivy": user.pubkey}
    assert second.headers["access-control-allow-origin"] == "*"


async def test_d2_postgresql_down_too_answers_a_clear_503(postgres_dsn):
    proxy = database_proxy(postgres_dsn)
    container = names_container(
        dsn_through(postgres_dsn, proxy.port), None, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"
    )
    try:
        async with serving(container) as client:
            async with asyncio.timeout(HANG_GUARD):
                response = await _get(client, "ivy")
    finally:
        proxy.close()
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["retry-after"]
    assert response.json()["status"] == 503


async def test_f3_a_known_name_is_answered_from_the_cache_while_postgresql_is_cut_after_another_changed(
    postgres_dsn, redis_cache
):
    # The reader reaches PostgreSQL through a proxy the test cuts; the writer is another process.
    proxy = database_proxy(postgres_dsn)
    proxy.start()
    writer = names_container(postgres_dsn, redis_cache)
    reader = names_container(dsn_through(postgres_dsn, proxy.port), redis_cache)
    try:
        async with serving(writer), serving(reader) as client:
            user, other = await add_user(writer), await add_user(writer)
            await writer.names.register_name()(user.id, "june")
            assert (await _get(client, "june")).status_code == 200
            # Another registration: every process loads the domain's held names again.
            await writer.names.register_name()(other.id, "kate")
            proxy.stop()
            await asyncio.sleep(1.0)  # the reader hears of the change (within a second)
            async with asyncio.timeout(HANG_GUARD):
                during = await _get(client, "june")
    finally:
        proxy.close()
    assert during.status_code == 200
    assert during.json()["names"] == {"june": user.pubkey}


async def test_t5_d1_a_failure_of_our_own_answers_a_500_problem_with_cors(make_empty_database):
    # A row our code cannot read (a status no version of ours writes, its check dropped by hand): a
    # failure that is neither a dependency being down (503) nor an answer, so the endpoint's last
    # resort answers.
    dsn = make_empty_database()
    apply_migrations(dsn)
    container = names_container(dsn, None)
    async with serving(container) as client:
        owner = await add_user(container)
        await container.names.register_name()(owner.id, "ivy")
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute("ALTER TABLE nip05_names DROP CONSTRAINT nip05_names_status_known")
            connection.execute("UPDATE nip05_names SET status = 'unreadable' WHERE name = 'ivy'")
        async with asyncio.timeout(HANG_GUARD):
            response = await _get(client, "ivy")
    assert response.status_code == 500
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 500
    assert "unreadable" not in response.text
