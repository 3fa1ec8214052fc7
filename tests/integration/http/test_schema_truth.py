"""T6 and H1 point by point: what schemathesis found when it signed in, each shown on its own
through the real container and `create_app` (memory relay and cache, the test PostgreSQL)."""

import pytest

from domain.auth.users import UserRole

pytestmark = pytest.mark.integration

SCHEMA = "/schema/openapi.json"


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/api/v1/api-keys", "GET, OPTIONS, POST"),
        ("/api/v1/domains", "GET, OPTIONS, POST"),
        ("/api/v1/nip05", "GET, OPTIONS, POST"),
        ("/api/v1/nip05/6f0bb2ae-1f8a-4b38-9f53-0d4a1a7b0c55", "DELETE, OPTIONS, PATCH"),
    ],
)
async def test_t6_options_names_every_method_of_the_path_whichever_handler_serves_it(api, path, methods):
    answer = await api.client.options(path)

    assert answer.status_code == 204
    assert answer.headers["allow"] == methods


async def test_t6_request_bodies_are_closed_in_the_schema_and_an_unknown_field_is_422(api):
    alice = await api.sign_in()
    schemas = (await api.client.get(SCHEMA)).json()["components"]["schemas"]
    extra = await api.client.post(
        "/api/v1/api-keys", json={"name": "ci", "scopes": ["wot:read"], "admin": True}, headers=alice.headers
    )

    for name in ("CreateApiKeyRequest", "RegisterNameRequest", "AddDomainRequest", "LoginRequest"):
        assert schemas[name]["additionalProperties"] is False, name
    assert extra.status_code == 422


async def test_t6_plan_ids_and_providers_in_the_schema_are_the_configured_ones(api):
    schemas = (await api.client.get(SCHEMA)).json()["components"]["schemas"]
    plans = [plan.id for plan in api.container.settings().billing_plans]
    paid = [plan.id for plan in api.container.settings().billing_plans if not plan.is_free]

    assert schemas["CheckoutRequest"]["properties"]["plan_id"]["enum"] == paid
    assert schemas["CheckoutRequest"]["properties"]["provider"]["enum"] == ["fake"]
    assert schemas["CompRequest"]["properties"]["plan_id"]["enum"] == plans


async def test_h1_a_key_name_postgresql_cannot_store_is_422_not_500(api):
    alice = await api.sign_in()

    for name in ("nul\u0000byte", "\u3000\t "):
        answer = await api.client.post(
            "/api/v1/api-keys", json={"name": name, "scopes": ["wot:read"]}, headers=alice.headers
        )
        assert answer.status_code == 422, answer.text


async def test_t6_audit_log_times_are_rfc_3339_and_cursors_have_their_documented_shape(api):
    admin = await api.sign_in(role=UserRole.ADMIN)
    url = "/api/v1/admin/audit-log"

    a_number = await api.client.get(url, params={"until": "0.5"}, headers=admin.headers)
    a_time = await api.client.get(url, params={"since": "2026-01-01T00:00:00Z"}, headers=admin.headers)
    page = await api.client.get(url, params={"limit": 1}, headers=admin.headers)
    cursor = page.json()["next_cursor"]
    following = await api.client.get(url, params={"limit": 1, "cursor": cursor}, headers=admin.headers)
    shaped = await api.client.get(url, params={"cursor": "0_" + "0" * 32}, headers=admin.headers)

    assert a_number.status_code == 422
    assert a_time.status_code == page.status_code == following.status_code == shaped.status_code == 200
    assert following.json()["items"] != page.json()["items"]
