"""The admin page over the real app: admins only (T5: every admin form refuses a non-admin), and
each change made through it audited as the API's are, with who and from where (A1)."""

import pytest

from domain.audit.entries import AuditLog, AuditLogQuery
from domain.auth.users import UserRole
from tests.fixtures.auth import TEST_PUBLIC_URL
from tests.integration.web.browser_kit import browser_signed_in

pytestmark = pytest.mark.integration
SAME_ORIGIN = {"origin": TEST_PUBLIC_URL}


@pytest.fixture
def api_settings_env(api_settings_env: dict[str, str]) -> dict[str, str]:
    return api_settings_env | {"ENVIRONMENT": "development"}


async def test_t5_the_admin_page_and_every_admin_form_refuse_a_user(api):
    victim = await api.sign_in()
    user = await browser_signed_in(api)
    name_id = "00000000-0000-0000-0000-000000000001"

    answers = [
        await api.client.get("/admin"),
        await api.client.post(
            f"/admin/users/{victim.user.id}/suspend", data=user.form(), headers=SAME_ORIGIN
        ),
        await api.client.post(
            f"/admin/users/{victim.user.id}/unsuspend", data=user.form(), headers=SAME_ORIGIN
        ),
        await api.client.post(
            f"/admin/users/{victim.user.id}/role", data=user.form(role="admin"), headers=SAME_ORIGIN
        ),
        await api.client.post(f"/admin/names/{name_id}/suspend", data=user.form(), headers=SAME_ORIGIN),
    ]

    assert [answer.status_code for answer in answers] == [403] * 5
    assert "Administrators only" in answers[0].text
    assert (await api.run(lambda: api._user(victim.user.id))).role is UserRole.USER


async def test_a1_a_suspension_from_the_page_is_audited_with_the_admin_and_ends_the_users_sessions(api):
    victim = await api.sign_in()
    admin = await browser_signed_in(api, role=UserRole.ADMIN)
    page = await api.client.get("/admin", params={"query": victim.pubkey[:16]})
    assert page.status_code == 200 and f"/admin/users/{victim.user.id}/suspend" in page.text

    done = await api.client.post(
        f"/admin/users/{victim.user.id}/suspend",
        data=admin.form(back=f"/admin?query={victim.pubkey[:16]}"),
        headers={**SAME_ORIGIN, "user-agent": "admin-browser"},
        follow_redirects=False,
    )

    assert done.status_code == 303
    assert done.headers["location"] == f"/admin?query={victim.pubkey[:16]}&done=suspended"
    assert (await api.client.get("/api/v1/me", headers=victim.headers)).status_code == 401
    log = await api.client.get("/admin", params={"action": "user.suspended", "actor": str(admin.user_id)})
    assert str(victim.user.id) in log.text and "admin-browser" not in log.text
    entries = [
        e
        for e in await api.run(lambda: _suspensions_by(api, admin.user_id))
        if e.target_id == str(victim.user.id)
    ]
    assert [(e.action, e.actor_pubkey, e.user_agent) for e in entries] == [
        ("user.suspended", admin.pubkey, "admin-browser")
    ]


async def test_a_malformed_filter_says_what_is_wrong_and_still_shows_the_page(api):
    await browser_signed_in(api, role=UserRole.ADMIN)

    page = await api.client.get("/admin", params={"action": "DROP TABLE", "since": "yesterday"})

    assert page.status_code == 422
    assert 'role="alert"' in page.text and "Audit log:" in page.text
    assert "Users" in page.text


async def _suspensions_by(api, actor) -> list[AuditLog]:
    async with api.container.unit_of_work() as uow:
        return await uow.audit_log.search(
            AuditLogQuery(actor_user_id=actor, action="user.suspended", limit=50)
        )
