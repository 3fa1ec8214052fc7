"""NIP-85 assertions (V4) through the app, on a real relay process and the run's PostgreSQL."""

import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import msgspec
import psycopg
import pytest

from adapters.relay.websocket_pool import WebsocketRelayPool
from domain.auth.users import UserRole
from domain.names.nip05 import Nip05Status
from domain.nostr.event import Event, Filter
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event
from domain.wot.assertion import ASSERTION_KIND
from tests import builders
from tests.fixtures.auth import Api

pytestmark = pytest.mark.integration
JS = Path(__file__).resolve().parents[2] / "js"

NAMES = ("seed", "alice", "bob", "target")
SECRET: dict[str, str] = {}
PUB: dict[str, str] = {}


@pytest.fixture(autouse=True)
def people() -> None:
    """Fresh keys for each test: the tests share the module's relay."""
    SECRET.update({name: generate_secret_key() for name in NAMES})
    PUB.update({name: public_key_of(secret) for name, secret in SECRET.items()})


@pytest.fixture
def api_settings_env(api_settings_env: dict[str, str], relay_url: str, people: None) -> dict[str, str]:
    return {**api_settings_env, "RELAY_URLS": relay_url, "WOT_SEEDS": PUB["seed"]}


def verified_by_nostr_tools(events: list[Event]) -> list[bool]:
    node = shutil.which("node")
    assert node is not None, "node is required"
    done = subprocess.run(
        [node, str(JS / "verify_events.mjs")],
        input=msgspec.json.encode(events).decode(),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=JS,
    )
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout))


def database_state(dsn: str) -> dict[str, int]:
    """Every table of the public schema with its row count."""
    with psycopg.connect(dsn) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"
            )
        ]
        return {
            table: connection.execute(
                psycopg.sql.SQL("SELECT count(*) FROM {}").format(psycopg.sql.Identifier(table))
            ).fetchone()[0]  # type: ignore[index]
            for table in tables
        }


async def held_assertions(relay: WebsocketRelayPool, provider: str) -> list[Event]:
    return await relay.query(
        [Filter(authors=(provider,), kinds=(ASSERTION_KIND,), tags={"d": (PUB["target"],)})]
    )


def world_events(now: int) -> list[Event]:
    return [
        sign_event(
            SECRET["seed"],
            kind=3,
            tags=[["p", PUB["alice"]], ["p", PUB["target"]]],
            content="",
            created_at=now - 900,
        ),
        sign_event(SECRET["alice"], kind=3, tags=[["p", PUB["target"]]], content="", created_at=now - 900),
        sign_event(SECRET["target"], kind=0, tags=[], content="{}", created_at=now - 40 * 86400),
        *[
            sign_event(SECRET["target"], kind=1, tags=[], content=f"note {i}", created_at=now - i * 3600)
            for i in range(1, 4)
        ],
    ]


async def test_v4_jobs_run_publishes_for_owners_of_active_names_once_per_change(
    api: Api, relay_url: str
) -> None:
    now = int(api.clock.now().timestamp())
    owner = builders.user()
    active = builders.nip05(owner.id, pubkey=PUB["target"], status=Nip05Status.ACTIVE)
    suspended = builders.nip05(owner.id, pubkey=PUB["bob"], status=Nip05Status.SUSPENDED)

    async def add_names() -> None:
        async with api.container.unit_of_work() as uow:
            await uow.users.add(owner)
            await uow.nip05_names.add(active)
            await uow.nip05_names.add(suspended)
            await uow.commit()

    relay = WebsocketRelayPool(urls=(relay_url,))
    await relay.start()
    try:
        await relay.publish(world_events(now))
        await api.run(add_names)
        job = api.container.wot.publish_owners_assertions
        first = await api.run(lambda: job()())
        provider = public_key_of(api.container.service_key())
        held = await held_assertions(relay, provider)
        second = await api.run(lambda: job()())
        held_again = await held_assertions(relay, provider)
        for_suspended = await relay.query(
            [Filter(authors=(provider,), kinds=(ASSERTION_KIND,), tags={"d": (PUB["bob"],)})]
        )
    finally:
        await relay.close()

    assert first >= 1
    assert len(held) == 1
    assert second == 0
    assert [e.id for e in held_again] == [held[0].id]
    assert for_suspended == []


async def test_v4_assertions_are_signed_replace_older_are_not_republished_and_store_nothing(
    api: Api, relay_url: str, postgres_dsn: str
) -> None:
    now = int(api.clock.now().timestamp())
    relay = WebsocketRelayPool(urls=(relay_url,))
    await relay.start()
    try:
        await relay.publish(
            [
                sign_event(
                    SECRET["seed"],
                    kind=3,
                    tags=[["p", PUB["alice"]], ["p", PUB["target"]]],
                    content="",
                    created_at=now - 900,
                ),
                sign_event(
                    SECRET["alice"], kind=3, tags=[["p", PUB["target"]]], content="", created_at=now - 900
                ),
                sign_event(SECRET["target"], kind=0, tags=[], content="{}", created_at=now - 40 * 86400),
                *[
                    sign_event(
                        SECRET["target"], kind=1, tags=[], content=f"note {i}", created_at=now - i * 3600
                    )
                    for i in range(1, 4)
                ],
            ]
        )
        admin = await api.sign_in(role=UserRole.ADMIN)
        user = await api.sign_in()
        before = database_state(postgres_dsn)
        path = f"/api/v1/wot/{PUB['target']}/assertion"

        provider = (await api.client.get("/api/v1/wot/provider")).json()
        anonymous = await api.client.post(path)
        not_admin = await api.client.post(path, headers=user.headers)
        first = await api.client.post(path, headers=admin.headers)
        again = await api.client.post(path, headers=admin.headers)
        held_first = await held_assertions(relay, provider["pubkey"])

        # A new follower, seen once the cached figures expire: the newer assertion replaces the older.
        await relay.publish(
            [sign_event(SECRET["bob"], kind=3, tags=[["p", PUB["target"]]], content="", created_at=now - 5)]
        )
        api.clock.advance(timedelta(seconds=301))
        changed = await api.client.post(path, headers=admin.headers)
        held_after = await held_assertions(relay, provider["pubkey"])
        alices = (await api.client.get("/api/v1/wot/provider", params={"viewer": PUB["alice"]})).json()
        from_alice = await api.client.post(path, params={"viewer": PUB["alice"]}, headers=admin.headers)
        held_for_alice = await held_assertions(relay, alices["pubkey"])
        after = database_state(postgres_dsn)
    finally:
        await relay.close()

    assert provider["tag_10040"] == ["30382:rank", provider["pubkey"], relay_url]
    assert (anonymous.status_code, not_admin.status_code) == (401, 403)
    assert first.status_code == again.status_code == changed.status_code == 202
    assert first.json()["kind"] == ASSERTION_KIND and first.json()["published"] is True
    assert again.json() == {**first.json(), "published": False}
    assert [event.id for event in held_first] == [first.json()["event_id"]]
    tags = {tag[0]: list(tag[1:]) for tag in held_first[0].tags}
    assert tags["d"] == [PUB["target"]] and tags["followers"] == ["2"] and tags["post_cnt"] == ["3"]
    assert tags["first_created_at"] == [str(now - 40 * 86400)] and 0 <= int(tags["rank"][0]) <= 100
    assert changed.json()["published"] is True and changed.json()["event_id"] != first.json()["event_id"]
    assert [event.id for event in held_after] == [changed.json()["event_id"]]
    assert dict((tag[0], tag[1]) for tag in held_after[0].tags)["followers"] == "3"
    assert alices["pubkey"] != provider["pubkey"] and alices["tag_10040"][1] == alices["pubkey"]
    assert from_alice.status_code == 202 and [e.id for e in held_for_alice] == [from_alice.json()["event_id"]]
    assert verified_by_nostr_tools([*held_first, *held_after, *held_for_alice]) == [True, True, True]
    assert after == before


async def test_v4_an_api_key_with_wot_publish_publishes_and_a_key_without_it_is_refused(api: Api) -> None:
    owner = await api.sign_in()
    keys = {}
    for scope in ("wot:publish", "wot:read"):
        created = await api.client.post(
            "/api/v1/api-keys", json={"name": f"key {scope}", "scopes": [scope]}, headers=owner.headers
        )
        assert created.status_code == 201, created.text
        keys[scope] = created.json()["key"]
    path = f"/api/v1/wot/{PUB['bob']}/assertion"

    publishing = await api.client.post(path, headers={"X-API-Key": keys["wot:publish"]})
    reading = await api.client.post(path, headers={"X-API-Key": keys["wot:read"]})

    assert publishing.status_code == 202, publishing.text
    assert publishing.json()["kind"] == ASSERTION_KIND
    assert reading.status_code == 403
