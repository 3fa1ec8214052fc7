"""Every admin route, taken from the app's own route table, refuses a signed-in user who is not an
admin (promise T5): a route added under /api/v1/admin is covered without naming it here."""

import re
import uuid

import pytest
from litestar.routes import HTTPRoute

from domain.auth.users import UserRole
from tests.fixtures.auth import Api

pytestmark = pytest.mark.integration

ADMIN_PREFIX = "/api/v1/admin"
PATH_PARAMETER = re.compile(r"{[^}]+}")
WITH_BODY = {"POST", "PUT", "PATCH"}


def admin_operations(api: Api) -> list[tuple[str, str]]:
    """(method, path template) of every admin operation the app serves."""
    operations = []
    for route in api.client.app.routes:
        if isinstance(route, HTTPRoute) and route.path.startswith(ADMIN_PREFIX):
            operations += [(method, route.path) for method in sorted(route.methods - {"HEAD", "OPTIONS"})]
    return operations


async def test_t5_every_admin_route_refuses_a_signed_in_user_who_is_not_admin(api: Api) -> None:
    alice = await api.sign_in()
    operations = admin_operations(api)
    # The routes API.md lists, so a broken route table cannot make this test vacuous.
    assert len(operations) >= 8, operations

    for method, template in operations:
        path = PATH_PARAMETER.sub(lambda _: str(uuid.uuid4()), template)
        body = {"json": {}} if method in WITH_BODY else {}
        answer = await api.client.request(method, path, headers=alice.headers, **body)
        assert answer.status_code == 403, (method, template, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")


async def test_t5_a_user_who_is_not_admin_cannot_comp_themselves_a_plan(api: Api) -> None:
    alice = await api.sign_in()

    comp = await api.client.post(
        f"/api/v1/admin/users/{alice.user.id}/comp",
        json={"plan_id": "pro-yearly", "days": 365, "reason": "a plan for nothing"},
        headers=alice.headers,
    )

    assert comp.status_code == 403
    assert (await api.client.get("/api/v1/subscriptions/me", headers=alice.headers)).status_code == 404
    admin = await api.sign_in(role=UserRole.ADMIN)
    as_admin = await api.client.post(
        f"/api/v1/admin/users/{alice.user.id}/comp",
        json={"plan_id": "pro-yearly", "days": 365, "reason": "a plan for a speaker"},
        headers=admin.headers,
    )
    assert as_admin.status_code == 200
