"""Roles and suspension over HTTP: admins only, each change audited in its transaction (A1)."""

from uuid import UUID

import pytest

from domain.audit.entries import AuditLogQuery
from domain.auth.users import UserRole

pytestmark = pytest.mark.integration


async def _audit(api, **query):
    async def read():
        async with api.container.unit_of_work() as uow:
            return await uow.audit_log.search(AuditLogQuery(**query))

    return await api.run(read)


async def test_a1_an_admin_gives_a_role_and_the_change_is_audited(api):
    admin = await api.sign_in(role=UserRole.ADMIN)
    alice = await api.sign_in()

    response = await api.client.post(
        f"/api/v1/admin/users/{alice.user.id}/role", json={"role": "admin"}, headers=admin.headers
    )

    assert response.status_code == 200
    assert response.json()["role"] == "admin"
    me = await api.client.get("/api/v1/me", headers=alice.headers)
    assert me.json()["role"] == "admin"  # at once: the account verdict was told
    entries = await _audit(api, actor_user_id=admin.user.id, action="user.role_changed")
    assert [(e.target_id, e.details["from"], e.details["to"], e.actor_pubkey) for e in entries] == [
        (str(alice.user.id), "user", "admin", admin.pubkey)
    ]
    assert entries[0].occurred_at == api.clock.now()


async def test_a1_suspension_and_its_lifting_are_audited(api):
    admin = await api.sign_in(role=UserRole.ADMIN)
    alice = await api.sign_in()

    await api.client.post(f"/api/v1/admin/users/{alice.user.id}/suspend", headers=admin.headers)
    await api.client.post(f"/api/v1/admin/users/{alice.user.id}/unsuspend", headers=admin.headers)

    entries = await _audit(api, actor_user_id=admin.user.id)
    assert sorted(e.action for e in entries if e.target_id == str(alice.user.id)) == [
        "user.suspended",
        "user.unsuspended",
    ]


async def test_a_user_who_is_not_admin_is_forbidden(api):
    alice, bob = await api.sign_in(), await api.sign_in()

    for path, body in [
        (f"/api/v1/admin/users/{bob.user.id}/suspend", None),
        (f"/api/v1/admin/users/{bob.user.id}/unsuspend", None),
        (f"/api/v1/admin/users/{alice.user.id}/role", {"role": "admin"}),
    ]:
        response = await api.client.post(path, json=body, headers=alice.headers)
        assert response.status_code == 403, path
        assert response.headers["content-type"].startswith("application/problem+json")
    assert (await api.client.get("/api/v1/me", headers=alice.headers)).json()["role"] == "user"


async def test_an_admin_who_loses_the_role_is_forbidden_at_once(api):
    root = await api.sign_in(role=UserRole.ADMIN)
    admin = await api.sign_in(role=UserRole.ADMIN)
    bob = await api.sign_in()
    assert (
        await api.client.post(f"/api/v1/admin/users/{bob.user.id}/suspend", headers=admin.headers)
    ).status_code == 200

    await api.client.post(
        f"/api/v1/admin/users/{admin.user.id}/role", json={"role": "user"}, headers=root.headers
    )
    response = await api.client.post(f"/api/v1/admin/users/{bob.user.id}/unsuspend", headers=admin.headers)

    assert response.status_code == 403


async def test_admin_answers_for_unknown_users_bad_roles_and_repeated_suspension(api):
    admin = await api.sign_in(role=UserRole.ADMIN)
    alice = await api.sign_in()

    unknown = await api.client.post(f"/api/v1/admin/users/{UUID(int=5)}/suspend", headers=admin.headers)
    bad_role = await api.client.post(
        f"/api/v1/admin/users/{alice.user.id}/role", json={"role": "root"}, headers=admin.headers
    )
    await api.client.post(f"/api/v1/admin/users/{alice.user.id}/suspend", headers=admin.headers)
    twice = await api.client.post(f"/api/v1/admin/users/{alice.user.id}/suspend", headers=admin.headers)

    assert unknown.status_code == 404
    assert bad_role.status_code == 422
    assert twice.status_code == 409
