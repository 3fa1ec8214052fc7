"""Sessions over HTTP: refresh rotation and reuse (J6), sign-out, suspension, and whose they are (K2)."""

import asyncio
from datetime import datetime, timedelta
from uuid import UUID

import msgspec
import pytest

from application.auth.own_sessions import RefreshReused
from application.auth.sessions import SignedIn
from domain.audit.entries import NO_ORIGIN, AuditLogQuery
from domain.auth.users import UserRole
from domain.shared.errors import Unauthorized

pytestmark = pytest.mark.integration


async def _refresh(api, token: str):
    return await api.client.post("/api/v1/auth/refresh", json={"refresh_token": token})


async def _me(api, headers):
    return await api.client.get("/api/v1/me", headers=headers)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _audit(api, **query):
    async def read():
        async with api.container.unit_of_work() as uow:
            return await uow.audit_log.search(AuditLogQuery(**query))

    return await api.run(read)


async def test_refresh_rotates_the_refresh_token_and_keeps_the_session(api):
    alice = await api.sign_in()

    first = await _refresh(api, alice.refresh_token)

    assert first.status_code == 200
    body = first.json()
    assert body["refresh_token"] != alice.refresh_token
    assert body["user"]["id"] == str(alice.user.id)
    assert (await _me(api, _bearer(body["access_token"]))).status_code == 200
    assert (await _me(api, alice.headers)).status_code == 200  # the same session: still open
    second = await _refresh(api, body["refresh_token"])
    assert second.status_code == 200


async def test_j6_reusing_a_rotated_refresh_token_revokes_the_whole_family(api):
    alice = await api.sign_in()
    rotated = (await _refresh(api, alice.refresh_token)).json()

    reuse = await _refresh(api, alice.refresh_token)

    assert reuse.status_code == 401
    assert "already used" in reuse.json()["detail"]
    assert (await _refresh(api, rotated["refresh_token"])).status_code == 401
    assert (await _me(api, _bearer(rotated["access_token"]))).status_code == 401
    assert (await _me(api, alice.headers)).status_code == 401
    entries = await _audit(api, action="auth.refresh_reuse")
    assert [entry.target_id for entry in entries if entry.actor_user_id == alice.user.id] == [
        str(alice.session_id)
    ]


async def test_j6_reuse_leaves_the_users_other_sessions_alone(api):
    alice = await api.sign_in()
    elsewhere = await api.sign_in(secret_key=alice.secret_key)
    await _refresh(api, alice.refresh_token)

    await _refresh(api, alice.refresh_token)

    assert (await _me(api, alice.headers)).status_code == 401
    assert (await _me(api, elsewhere.headers)).status_code == 200


async def test_j6_of_concurrent_refreshes_with_one_token_at_most_one_succeeds(api):
    alice = await api.sign_in()
    refresh = api.container.auth.refresh_session

    async def all_at_once():
        return await asyncio.gather(
            *(refresh()(alice.refresh_token, NO_ORIGIN) for _ in range(8)), return_exceptions=True
        )

    results = await api.run(all_at_once)

    assert sum(isinstance(result, SignedIn) for result in results) <= 1
    assert all(isinstance(result, SignedIn | Unauthorized) for result in results), results
    assert any(isinstance(result, RefreshReused) for result in results)
    # However the race went, the presented token is used up and its session ended by the reuse.
    assert (await _refresh(api, alice.refresh_token)).status_code == 401
    assert (await _me(api, alice.headers)).status_code == 401


async def test_an_unknown_or_expired_refresh_token_is_refused(api):
    alice, bob = await api.sign_in(), await api.sign_in()
    assert (await _refresh(api, "nid_rt_unknown")).status_code == 401

    api.clock.advance(timedelta(days=30) - timedelta(seconds=1))
    assert (await _refresh(api, bob.refresh_token)).status_code == 200
    api.clock.advance(timedelta(seconds=1))
    expired = await _refresh(api, alice.refresh_token)

    assert expired.status_code == 401
    assert "ended" in expired.json()["detail"]


async def test_j3_a_session_ends_30_days_after_sign_in_however_often_it_was_refreshed_in_time(api):
    alice = await api.sign_in()
    token = alice.refresh_token
    for _ in range(3):
        api.clock.advance(timedelta(days=10) - timedelta(seconds=1))
        refreshed = await _refresh(api, token)
        assert refreshed.status_code == 200
        token = refreshed.json()["refresh_token"]
    access = refreshed.json()["access_token"]
    assert (await _me(api, _bearer(access))).status_code == 200

    api.clock.advance(timedelta(seconds=3))  # 30 days after sign-in
    late = await _refresh(api, token)

    assert late.status_code == 401
    assert "ended" in late.json()["detail"]
    assert (await _me(api, _bearer(access))).status_code == 401


async def test_j6_logout_ends_the_session_at_once_and_is_audited(api):
    alice = await api.sign_in()
    assert (await _me(api, alice.headers)).status_code == 200  # the verdict is now held in-process

    response = await api.client.post("/api/v1/auth/logout", headers=alice.headers)

    assert response.status_code == 204
    after = await _me(api, alice.headers)
    assert after.status_code == 401
    assert "session has ended" in after.json()["detail"]
    assert (await _refresh(api, alice.refresh_token)).status_code == 401
    entries = await _audit(api, actor_user_id=alice.user.id, action="auth.sign_out")
    assert [entry.target_id for entry in entries] == [str(alice.session_id)]


async def test_j6_logout_all_ends_every_session_of_the_user_only(api):
    alice = await api.sign_in()
    alice_elsewhere = await api.sign_in(secret_key=alice.secret_key)
    bob = await api.sign_in()
    for user in (alice, alice_elsewhere, bob):
        assert (await _me(api, user.headers)).status_code == 200

    response = await api.client.post("/api/v1/auth/logout-all", headers=alice.headers)

    assert response.status_code == 204
    assert (await _me(api, alice.headers)).status_code == 401
    assert (await _me(api, alice_elsewhere.headers)).status_code == 401
    assert (await _me(api, bob.headers)).status_code == 200
    entries = await _audit(api, actor_user_id=alice.user.id, action="auth.sign_out_all")
    assert [entry.details["revoked"] for entry in entries] == [2]


@pytest.mark.parametrize("api_cache", ["memory", "redis"], indirect=True)
async def test_j6_suspension_revokes_the_users_sessions_so_lifting_it_does_not_restore_them(api):
    admin = await api.sign_in(role=UserRole.ADMIN)
    alice = await api.sign_in()
    elsewhere = await api.sign_in(secret_key=alice.secret_key)
    rotated = (await _refresh(api, elsewhere.refresh_token)).json()
    assert (await _me(api, alice.headers)).status_code == 200

    suspend = await api.client.post(f"/api/v1/admin/users/{alice.user.id}/suspend", headers=admin.headers)

    assert suspend.status_code == 200
    assert suspend.json()["status"] == "suspended"
    assert (await _me(api, alice.headers)).status_code == 401
    assert (await _refresh(api, alice.refresh_token)).status_code == 401
    unsuspend = await api.client.post(f"/api/v1/admin/users/{alice.user.id}/unsuspend", headers=admin.headers)
    assert unsuspend.status_code == 200
    assert (await _me(api, alice.headers)).status_code == 401
    assert (await _me(api, _bearer(rotated["access_token"]))).status_code == 401
    assert (await _refresh(api, alice.refresh_token)).status_code == 401
    assert (await _refresh(api, rotated["refresh_token"])).status_code == 401
    assert (await _me(api, admin.headers)).status_code == 200
    again = await api.sign_in(secret_key=alice.secret_key)
    assert (await _me(api, again.headers)).status_code == 200
    assert (await _refresh(api, again.refresh_token)).status_code == 200
    entries = await _audit(api, actor_user_id=admin.user.id, action="user.suspended")
    # Every refresh token of the two sessions: alice's, and elsewhere's first and its successor.
    assert [entry.details["revoked"] for entry in entries] == [3]


async def test_a_suspended_user_cannot_sign_in(api):
    admin = await api.sign_in(role=UserRole.ADMIN)
    alice = await api.sign_in()
    await api.client.post(f"/api/v1/admin/users/{alice.user.id}/suspend", headers=admin.headers)

    challenge = (await api.client.post("/api/v1/auth/challenge")).json()["challenge"]
    event = api.sign_in_event(alice.secret_key, challenge)
    response = await api.client.post("/api/v1/auth/login", json={"event": msgspec.to_builtins(event)})

    assert response.status_code == 403


async def test_sessions_lists_the_users_open_sessions_and_marks_the_current_one(api):
    alice = await api.sign_in()
    elsewhere = await api.sign_in(secret_key=alice.secret_key)
    await api.sign_in()  # someone else

    response = await api.client.get("/api/v1/auth/sessions", headers=alice.headers)

    assert response.status_code == 200
    items = response.json()["items"]
    assert {item["id"] for item in items} == {str(alice.session_id), str(elsewhere.session_id)}
    assert [item["current"] for item in items if item["id"] == str(alice.session_id)] == [True]
    assert [item["current"] for item in items if item["id"] == str(elsewhere.session_id)] == [False]
    assert set(items[0]) == {"id", "created_at", "last_used_at", "user_agent", "ip", "current"}


async def test_a_listed_session_began_at_sign_in_and_was_last_used_at_its_latest_refresh(api):
    signed_in_at = api.clock.now()
    alice = await api.sign_in()
    api.clock.advance(timedelta(minutes=5))
    refreshed = (await _refresh(api, alice.refresh_token)).json()
    api.clock.advance(timedelta(minutes=7))
    await _refresh(api, refreshed["refresh_token"])
    refreshed_at = api.clock.now()
    api.clock.advance(timedelta(minutes=1))

    response = await api.client.get("/api/v1/auth/sessions", headers=alice.headers)

    assert response.status_code == 200
    [item] = response.json()["items"]
    assert item["id"] == str(alice.session_id)
    assert datetime.fromisoformat(item["created_at"]) == signed_in_at
    assert datetime.fromisoformat(item["last_used_at"]) == refreshed_at


async def test_sessions_are_listed_the_latest_begun_first(api):
    alice = await api.sign_in()
    api.clock.advance(timedelta(minutes=1))
    later = await api.sign_in(secret_key=alice.secret_key)
    api.clock.advance(timedelta(minutes=1))
    await _refresh(api, alice.refresh_token)

    response = await api.client.get("/api/v1/auth/sessions", headers=alice.headers)

    assert [item["id"] for item in response.json()["items"]] == [str(later.session_id), str(alice.session_id)]


async def test_deleting_one_of_my_sessions_ends_it(api):
    alice = await api.sign_in()
    elsewhere = await api.sign_in(secret_key=alice.secret_key)
    assert (await _me(api, elsewhere.headers)).status_code == 200

    response = await api.client.delete(f"/api/v1/auth/sessions/{elsewhere.session_id}", headers=alice.headers)

    assert response.status_code == 204
    assert (await _me(api, elsewhere.headers)).status_code == 401
    assert (await _me(api, alice.headers)).status_code == 200
    entries = await _audit(api, actor_user_id=alice.user.id, action="auth.session_revoked")
    assert [entry.target_id for entry in entries] == [str(elsewhere.session_id)]


async def test_k2_a_user_cannot_see_or_end_another_users_session(api):
    alice, bob = await api.sign_in(), await api.sign_in()

    listed = await api.client.get("/api/v1/auth/sessions", headers=alice.headers)
    deleted = await api.client.delete(f"/api/v1/auth/sessions/{bob.session_id}", headers=alice.headers)

    assert str(bob.session_id) not in {item["id"] for item in listed.json()["items"]}
    assert deleted.status_code == 404
    assert (await _me(api, bob.headers)).status_code == 200


async def test_k2_an_unknown_session_id_is_not_found_and_a_malformed_one_is_a_client_error(api):
    alice = await api.sign_in()

    unknown = await api.client.delete(f"/api/v1/auth/sessions/{UUID(int=7)}", headers=alice.headers)
    malformed = await api.client.delete("/api/v1/auth/sessions/not-a-uuid", headers=alice.headers)

    assert unknown.status_code == 404
    assert malformed.status_code == 404  # the router matches no route for a path id that is not a UUID


async def test_session_endpoints_need_a_signed_in_user(api):
    for method, path in [
        ("POST", "/api/v1/auth/logout"),
        ("POST", "/api/v1/auth/logout-all"),
        ("GET", "/api/v1/auth/sessions"),
        ("DELETE", f"/api/v1/auth/sessions/{UUID(int=1)}"),
    ]:
        response = await api.client.request(method, path)
        assert response.status_code == 401, path
