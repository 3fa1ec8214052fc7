"""Every sign-in endpoint is charged to the stricter sign-in limit per client IP, whatever the
request presents (promises R2, T5): taking one out of the policy, or charging a request that
carries an API key to the key instead, makes a test here fail."""

import pytest
from dependency_injector import providers

from application.rate_limits import RatePolicies, RatePolicy
from tests.fixtures.auth import Api

pytestmark = pytest.mark.integration

HOUR = 3600.0
SIGN_IN_LIMIT = 2
# Limits per hour, so a test's own run time refills nothing; reads and keys are far above sign-in.
POLICIES = RatePolicies(
    api_key=RatePolicy(name="key-t5", limit=1000, period=HOUR),
    anonymous=RatePolicy(name="ip-t5", limit=1000, period=HOUR),
    sign_in=RatePolicy(name="sign-in-t5", limit=SIGN_IN_LIMIT, period=HOUR),
)
SIGN_IN_ENDPOINTS = [
    ("POST", "/api/v1/auth/challenge", None),
    ("POST", "/api/v1/auth/login", {"event": {}}),
    ("POST", "/api/v1/auth/lnurl", {"action": "login"}),
    ("GET", "/api/v1/auth/lnurl/callback?tag=login", None),
]


async def _attempts(api: Api, method: str, path: str, body: object, headers: dict[str, str]) -> list[int]:
    answers = [
        await api.client.request(method, path, json=body, headers=headers) for _ in range(SIGN_IN_LIMIT + 1)
    ]
    for answer in answers[:SIGN_IN_LIMIT]:
        assert answer.headers["ratelimit-limit"] == str(SIGN_IN_LIMIT), (path, answer.headers)
    return [answer.status_code for answer in answers]


@pytest.mark.parametrize(("method", "path", "body"), SIGN_IN_ENDPOINTS)
async def test_t5_r2_every_sign_in_endpoint_is_charged_to_the_sign_in_limit(
    api: Api, method: str, path: str, body: object
) -> None:
    api.container.api_keys.rate_policies.override(providers.Object(POLICIES))

    statuses = await _attempts(api, method, path, body, {})

    assert statuses[-1] == 429
    assert 429 not in statuses[:-1]


@pytest.mark.parametrize(("method", "path", "body"), SIGN_IN_ENDPOINTS)
async def test_t5_r2_an_api_key_does_not_lift_the_sign_in_limit(
    api: Api, method: str, path: str, body: object
) -> None:
    alice = await api.sign_in()
    created = await api.client.post(
        "/api/v1/api-keys", json={"name": "bot", "scopes": ["wot:read"]}, headers=alice.headers
    )
    assert created.status_code == 201
    api.container.api_keys.rate_policies.override(providers.Object(POLICIES))

    statuses = await _attempts(api, method, path, body, {"X-API-Key": created.json()["key"]})

    assert statuses[-1] == 429
