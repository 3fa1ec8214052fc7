"""Names, domains and administration over HTTP, signed in through the real sign-in."""

from datetime import timedelta

import pytest

from domain.auth.users import UserRole
from domain.names.nip05 import RELEASE_COOLDOWN
from tests.support.plans import ROOMY_PLANS_ENV

pytestmark = pytest.mark.integration
NAMES = "/api/v1/nip05"
DOMAINS = "/api/v1/domains"


@pytest.fixture
def api_settings_env(api_settings_env):
    """These tests are about names and domains, not quotas: a free plan roomy enough for several."""
    return {**api_settings_env, "BILLING_PLANS": ROOMY_PLANS_ENV}


async def _nostr_json(api, name, host="testserver.local"):
    return await api.client.get("/.well-known/nostr.json", params={"name": name}, headers={"host": host})


async def test_a_user_registers_lists_changes_and_releases_a_name(api):
    alice = await api.sign_in()

    created = await api.client.post(
        NAMES, json={"name": "Alice.Smith", "relays": ["wss://relay.one"]}, headers=alice.headers
    )
    assert created.status_code == 201
    body = created.json()
    assert body["name"] == "alice.smith" and body["domain"] == "testserver.local"
    assert body["identifier"] == "alice.smith@testserver.local"
    assert (body["pubkey"], body["status"], body["relays"]) == (alice.pubkey, "active", ["wss://relay.one"])
    listed = await api.client.get(NAMES, headers=alice.headers)
    assert [item["id"] for item in listed.json()["items"]] == [body["id"]]
    me = await api.client.get("/api/v1/me", headers=alice.headers)
    assert [item["identifier"] for item in me.json()["nip05"]] == ["alice.smith@testserver.local"]

    changed = await api.client.patch(
        f"{NAMES}/{body['id']}", json={"relays": ["wss://relay.two"]}, headers=alice.headers
    )
    assert changed.status_code == 200 and changed.json()["relays"] == ["wss://relay.two"]
    assert (await _nostr_json(api, "alice.smith")).json()["relays"] == {alice.pubkey: ["wss://relay.two"]}

    released = await api.client.delete(f"{NAMES}/{body['id']}", headers=alice.headers)
    assert released.status_code == 204
    assert (await api.client.get(NAMES, headers=alice.headers)).json()["items"] == []
    assert (await _nostr_json(api, "alice.smith")).json() == {"names": {}}


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("admin", "reserved"),
        ("Support", "reserved"),
        ("_", "root name"),
        (".dot", "regex"),
        ("dash-", "regex"),
        ("a..b", "regex"),
        ("bad name", "regex"),
        ("émile", "regex"),
        ("x" * 65, "64"),
    ],
)
async def test_names_breaking_the_rules_are_422_with_the_reason(api, name, reason):
    alice = await api.sign_in()
    response = await api.client.post(NAMES, json={"name": name}, headers=alice.headers)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["errors"]
    assert reason in problem["detail"] or any(reason in error["message"] for error in problem["errors"])


async def test_a_taken_name_is_409_whatever_its_case_and_availability_says_why(api):
    alice, bob = await api.sign_in(), await api.sign_in()
    assert (await api.client.post(NAMES, json={"name": "carol"}, headers=alice.headers)).status_code == 201
    taken = await api.client.post(NAMES, json={"name": "CAROL"}, headers=bob.headers)
    assert taken.status_code == 409
    availability = await api.client.get(
        f"{NAMES}/availability", params={"name": "Carol"}, headers=bob.headers
    )
    assert availability.json() == {
        "name": "carol",
        "domain": "testserver.local",
        "available": False,
        "reason": "taken",
    }
    free = await api.client.get(f"{NAMES}/availability", params={"name": "nobody-yet"})
    assert free.json()["available"] is True
    for name in ("admin", "bad name", "x" * 65):
        refused = await api.client.get(f"{NAMES}/availability", params={"name": name})
        assert (
            refused.status_code == 200 and refused.json()["available"] is False and refused.json()["reason"]
        )


async def test_a_released_name_is_held_back_from_others_but_not_from_its_owner(api):
    alice, bob = await api.sign_in(), await api.sign_in()
    created = (await api.client.post(NAMES, json={"name": "dora"}, headers=alice.headers)).json()
    await api.client.delete(f"{NAMES}/{created['id']}", headers=alice.headers)

    assert (await api.client.post(NAMES, json={"name": "dora"}, headers=bob.headers)).status_code == 409
    again = await api.client.post(NAMES, json={"name": "dora"}, headers=alice.headers)
    assert again.status_code == 201 and again.json()["id"] == created["id"]


async def test_a_released_name_is_free_for_others_once_the_cooldown_has_passed(api):
    alice = await api.sign_in()
    created = (await api.client.post(NAMES, json={"name": "ella"}, headers=alice.headers)).json()
    await api.client.delete(f"{NAMES}/{created['id']}", headers=alice.headers)

    api.clock.advance(RELEASE_COOLDOWN - timedelta(seconds=1))
    bob = await api.sign_in()
    assert (await api.client.post(NAMES, json={"name": "ella"}, headers=bob.headers)).status_code == 409
    api.clock.advance(timedelta(seconds=1))
    bob = await api.sign_in(secret_key=bob.secret_key)
    taken = await api.client.post(NAMES, json={"name": "ella"}, headers=bob.headers)
    assert taken.status_code == 201 and taken.json()["pubkey"] == bob.pubkey
    assert (await _nostr_json(api, "ella")).json()["names"] == {"ella": bob.pubkey}


async def test_k2_a_user_cannot_read_or_change_another_users_names_or_domains(api):
    owner, other = await api.sign_in(), await api.sign_in()
    name = (await api.client.post(NAMES, json={"name": "owned"}, headers=owner.headers)).json()
    domain = (
        await api.client.post(DOMAINS, json={"domain": "owned-names.org"}, headers=owner.headers)
    ).json()

    assert (await api.client.get(NAMES, headers=other.headers)).json()["items"] == []
    assert (await api.client.get(DOMAINS, headers=other.headers)).json()["items"] == []
    attempts = [
        api.client.patch(f"{NAMES}/{name['id']}", json={"relays": []}, headers=other.headers),
        api.client.delete(f"{NAMES}/{name['id']}", headers=other.headers),
        api.client.post(f"{DOMAINS}/{domain['id']}/verify", headers=other.headers),
        api.client.delete(f"{DOMAINS}/{domain['id']}", headers=other.headers),
    ]
    for attempt in attempts:
        response = await attempt
        assert response.status_code == 404, response.text
    on_their_domain = await api.client.post(
        NAMES, json={"name": "squat", "domain": "owned-names.org"}, headers=other.headers
    )
    assert on_their_domain.status_code == 403
    assert (await api.client.get(NAMES, headers=owner.headers)).json()["items"][0]["relays"] == []
    assert len((await api.client.get(DOMAINS, headers=owner.headers)).json()["items"]) == 1
    assert (await _nostr_json(api, "owned")).json()["names"] == {"owned": owner.pubkey}


async def test_k2_anonymous_callers_are_401_on_every_own_resource(api):
    for method, path in [("GET", NAMES), ("POST", NAMES), ("GET", DOMAINS), ("POST", DOMAINS)]:
        response = await api.client.request(method, path, json={})
        assert response.status_code == 401, (method, path)


async def test_a_domain_is_added_with_its_verification_record(api):
    alice = await api.sign_in()
    response = await api.client.post(DOMAINS, json={"domain": "Alice-Names.ORG."}, headers=alice.headers)
    assert response.status_code == 201
    body = response.json()
    assert body["domain"] == "alice-names.org" and body["status"] == "pending"
    assert body["verification"]["type"] == "TXT"
    assert body["verification"]["name"] == "_nostr-id.alice-names.org"
    assert body["verification"]["value"].startswith("nostr-id-verify=")
    for bad in ("127.0.0.1", "localhost", "printer.local", "example.com"):
        refused = await api.client.post(DOMAINS, json={"domain": bad}, headers=alice.headers)
        assert refused.status_code == 422, bad


async def test_a1_admin_endpoints_are_for_admins_only(api):
    user = await api.sign_in()
    for method, path in [
        ("GET", "/api/v1/admin/users"),
        ("GET", "/api/v1/admin/audit-log"),
        ("POST", f"/api/v1/admin/users/{user.user.id}/suspend"),
    ]:
        assert (await api.client.request(method, path, headers=user.headers)).status_code == 403
        assert (await api.client.request(method, path)).status_code == 401


async def test_a1_admin_actions_take_effect_at_once_and_are_audited(api):
    admin = await api.sign_in(role=UserRole.ADMIN)
    target = await api.sign_in()
    name = (await api.client.post(NAMES, json={"name": "target"}, headers=target.headers)).json()
    agent = {"user-agent": "admin-console/2.0", **admin.headers}

    tick = timedelta(seconds=1)  # the api clock is frozen: each action at its own time, in order
    api.clock.advance(tick)
    suspended = await api.client.post(f"/api/v1/admin/users/{target.user.id}/suspend", headers=agent)
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"
    assert (await api.client.get("/api/v1/me", headers=target.headers)).status_code == 401
    api.clock.advance(tick)
    restored = await api.client.post(f"/api/v1/admin/users/{target.user.id}/unsuspend", headers=agent)
    assert restored.json()["status"] == "active"
    # The suspension ended the user's sessions (J6): lifting it does not bring the old token back.
    assert (await api.client.get("/api/v1/me", headers=target.headers)).status_code == 401
    api.clock.advance(tick)
    promoted = await api.client.post(
        f"/api/v1/admin/users/{target.user.id}/role", json={"role": "admin"}, headers=agent
    )
    assert promoted.json()["role"] == "admin"
    assert (
        await api.client.post(
            f"/api/v1/admin/users/{target.user.id}/role", json={"role": "god"}, headers=agent
        )
    ).status_code == 422
    api.clock.advance(tick)
    name_suspended = await api.client.post(f"/api/v1/admin/nip05/{name['id']}/suspend", headers=agent)
    assert name_suspended.json()["status"] == "suspended"
    assert (await _nostr_json(api, "target")).json() == {"names": {}}

    log = await api.client.get("/api/v1/admin/audit-log", params={"actor": str(admin.user.id)}, headers=agent)
    entries = [e for e in log.json()["items"] if e["target_id"] in (str(target.user.id), name["id"])]
    assert [entry["action"] for entry in entries] == [
        "user.suspended",
        "user.unsuspended",
        "user.role_changed",
        "nip05.suspended",
    ]
    for entry in entries:
        assert entry["actor_user_id"] == str(admin.user.id) and entry["actor_pubkey"] == admin.pubkey
        assert entry["user_agent"] == "admin-console/2.0"
        assert "token" not in str(entry["details"]).lower()
    assert entries[-1]["target_id"] == name["id"]


async def test_a1_the_audit_log_filters_and_pages_by_keyset(api):
    admin = await api.sign_in(role=UserRole.ADMIN)
    users = [await api.sign_in() for _ in range(3)]
    for user in users:
        api.clock.advance(timedelta(seconds=1))
        await api.client.post(f"/api/v1/admin/users/{user.user.id}/suspend", headers=admin.headers)
    wanted = {"actor": str(admin.user.id), "action": "user.suspended"}

    seen, cursor = [], None
    while True:
        params = {**wanted, "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await api.client.get("/api/v1/admin/audit-log", params=params, headers=admin.headers)).json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [entry["target_id"] for entry in seen] == [str(user.user.id) for user in users]
    first, last = seen[0]["occurred_at"], seen[-1]["occurred_at"]
    window = await api.client.get(
        "/api/v1/admin/audit-log", params={**wanted, "since": first, "until": last}, headers=admin.headers
    )
    assert [entry["id"] for entry in window.json()["items"]] == [entry["id"] for entry in seen[:-1]]
    bad = await api.client.get("/api/v1/admin/audit-log", params={"cursor": "%%%"}, headers=admin.headers)
    assert bad.status_code == 422


async def test_a1_admins_list_and_search_users(api):
    admin = await api.sign_in(role=UserRole.ADMIN)
    alice = await api.sign_in()
    found = await api.client.get(
        "/api/v1/admin/users", params={"query": alice.pubkey[:12]}, headers=admin.headers
    )
    assert [item["pubkey"] for item in found.json()["items"]] == [alice.pubkey]
    page = await api.client.get("/api/v1/admin/users", params={"limit": 1}, headers=admin.headers)
    assert len(page.json()["items"]) == 1 and page.json()["next_cursor"]
