"""Plan quotas where names, custom domains and API keys are created, over HTTP and the real PostgreSQL."""

import asyncio
import secrets
from datetime import timedelta

import pytest

from domain.audit.entries import NO_ORIGIN
from domain.auth.principal import CredentialKind, Principal
from domain.billing.plans import DEFAULT_PLANS
from domain.billing.subscriptions import Subscription
from domain.shared.errors import QuotaExceeded

pytestmark = pytest.mark.integration
NAMES = "/api/v1/nip05"
DOMAINS = "/api/v1/domains"
KEYS = "/api/v1/api-keys"
FREE = next(plan for plan in DEFAULT_PLANS if plan.is_free)
PRO = next(plan for plan in DEFAULT_PLANS if plan.id == "pro-monthly")


def _unique(label: str) -> str:
    """A name or domain label no other test of the shared database has taken."""
    return f"{label}-{secrets.token_hex(4)}"


async def _subscribe(api, user_id, plan_id=PRO.id):
    """An active subscription to the plan, as settling its payment leaves it."""
    now = api.clock.now()

    async def store():
        subscription = Subscription.order(user_id=user_id, plan_id=plan_id, now=now).activate(
            now, timedelta(days=30)
        )
        async with api.container.unit_of_work() as uow:
            await uow.subscriptions.add(subscription)
            await uow.commit()

    await api.run(store)


def _is_quota_problem(response, what: str, plan_name: str) -> bool:
    problem = response.json()
    return (
        response.status_code == 403
        and response.headers["content-type"].startswith("application/problem+json")
        and problem["title"] == "Quota exceeded"
        and what in problem["detail"]
        and plan_name in problem["detail"]
    )


async def test_a_free_user_registers_as_many_names_as_the_free_plan_allows_and_no_more(api):
    alice = await api.sign_in()
    for number in range(FREE.quotas.names):
        created = await api.client.post(
            NAMES, json={"name": _unique(f"alice{number}")}, headers=alice.headers
        )
        assert created.status_code == 201
    refused = await api.client.post(NAMES, json={"name": _unique("one-more")}, headers=alice.headers)
    assert _is_quota_problem(refused, "names quota", FREE.name)
    assert len((await api.client.get(NAMES, headers=alice.headers)).json()["items"]) == FREE.quotas.names


async def test_a_released_name_frees_its_place_in_the_quota(api):
    alice = await api.sign_in()
    first = (await api.client.post(NAMES, json={"name": _unique("first")}, headers=alice.headers)).json()
    second = _unique("second")
    assert (await api.client.post(NAMES, json={"name": second}, headers=alice.headers)).status_code == 403
    assert (await api.client.delete(f"{NAMES}/{first['id']}", headers=alice.headers)).status_code == 204
    assert (await api.client.post(NAMES, json={"name": second}, headers=alice.headers)).status_code == 201


async def test_re_registering_ones_own_name_at_the_quota_is_still_409_taken(api):
    alice = await api.sign_in()
    name = _unique("alice")
    assert (await api.client.post(NAMES, json={"name": name}, headers=alice.headers)).status_code == 201
    again = await api.client.post(NAMES, json={"name": name}, headers=alice.headers)
    assert again.status_code == 409


async def test_a_paid_plan_raises_the_names_and_domains_quotas(api):
    alice = await api.sign_in()
    await _subscribe(api, alice.user.id)
    for number in range(PRO.quotas.names):
        created = await api.client.post(
            NAMES, json={"name": _unique(f"alice{number}")}, headers=alice.headers
        )
        assert created.status_code == 201
    refused = await api.client.post(NAMES, json={"name": _unique("one-more")}, headers=alice.headers)
    assert _is_quota_problem(refused, "names quota", PRO.name)
    for number in range(PRO.quotas.custom_domains):
        added = await api.client.post(
            DOMAINS, json={"domain": _unique(f"alice{number}") + ".org"}, headers=alice.headers
        )
        assert added.status_code == 201
    refused = await api.client.post(
        DOMAINS, json={"domain": _unique("more-alice") + ".org"}, headers=alice.headers
    )
    assert _is_quota_problem(refused, "custom domains quota", PRO.name)


async def test_the_free_plan_allows_no_custom_domain(api):
    alice = await api.sign_in()
    refused = await api.client.post(
        DOMAINS, json={"domain": _unique("alice-names") + ".org"}, headers=alice.headers
    )
    assert _is_quota_problem(refused, "custom domains quota", FREE.name)
    assert (await api.client.get(DOMAINS, headers=alice.headers)).json()["items"] == []


async def test_when_the_subscription_has_lapsed_the_free_quota_applies_again(api):
    alice = await api.sign_in()
    await _subscribe(api, alice.user.id)
    api.clock.advance(timedelta(days=31))
    alice = await api.sign_in(secret_key=alice.secret_key)
    refused = await api.client.post(
        DOMAINS, json={"domain": _unique("alice-names") + ".org"}, headers=alice.headers
    )
    assert _is_quota_problem(refused, "custom domains quota", FREE.name)


@pytest.mark.parametrize("attempts", [2, 5])
async def test_concurrent_registrations_at_one_below_the_quota_let_exactly_one_through(api, attempts):
    alice = await api.sign_in()
    await _subscribe(api, alice.user.id)
    for number in range(PRO.quotas.names - 1):
        assert (
            await api.client.post(NAMES, json={"name": _unique(f"alice{number}")}, headers=alice.headers)
        ).status_code == 201

    async def race():
        # One use case (and unit of work) per request, as the app builds them.
        calls = [
            api.container.names.register_name()(alice.user.id, _unique(f"racer{number}"))
            for number in range(attempts)
        ]
        return await asyncio.gather(*calls, return_exceptions=True)

    outcomes = await api.run(race)
    assert sum(not isinstance(outcome, BaseException) for outcome in outcomes) == 1, outcomes
    assert all(isinstance(o, QuotaExceeded) for o in outcomes if isinstance(o, BaseException))
    assert len((await api.client.get(NAMES, headers=alice.headers)).json()["items"]) == PRO.quotas.names


@pytest.mark.parametrize("attempts", [2, 5])
async def test_concurrent_domain_claims_at_one_below_the_quota_let_exactly_one_through(api, attempts):
    alice = await api.sign_in()
    await _subscribe(api, alice.user.id)

    async def race():
        calls = [
            api.container.names.add_domain()(alice.user.id, _unique(f"racer{number}") + ".org")
            for number in range(attempts)
        ]
        return await asyncio.gather(*calls, return_exceptions=True)

    assert PRO.quotas.custom_domains == 1
    outcomes = await api.run(race)
    assert sum(not isinstance(outcome, BaseException) for outcome in outcomes) == 1, outcomes
    assert all(isinstance(o, QuotaExceeded) for o in outcomes if isinstance(o, BaseException))
    assert len((await api.client.get(DOMAINS, headers=alice.headers)).json()["items"]) == 1


def _key_request(user, name: str) -> dict:
    return {"json": {"name": name, "scopes": ["wot:read"]}, "headers": user.headers}


async def test_t4_api_keys_are_bounded_by_the_plan_and_a_revoked_key_frees_its_place(api):
    alice = await api.sign_in()
    created = []
    for number in range(FREE.quotas.api_keys):
        response = await api.client.post(KEYS, **_key_request(alice, f"key{number}"))
        assert response.status_code == 201, response.text
        created.append(response.json())

    refused = await api.client.post(KEYS, **_key_request(alice, "one-more"))

    assert _is_quota_problem(refused, "API keys quota", FREE.name)
    assert str(FREE.quotas.api_keys) in refused.json()["detail"]
    assert len((await api.client.get(KEYS, headers=alice.headers)).json()["items"]) == FREE.quotas.api_keys
    assert (await api.client.delete(f"{KEYS}/{created[0]['id']}", headers=alice.headers)).status_code == 204
    assert (await api.client.post(KEYS, **_key_request(alice, "in-its-place"))).status_code == 201
    assert _is_quota_problem(
        await api.client.post(KEYS, **_key_request(alice, "again")), "API keys", FREE.name
    )
    # A paid plan allows more.
    await _subscribe(api, alice.user.id)
    assert (await api.client.post(KEYS, **_key_request(alice, "paid"))).status_code == 201


@pytest.mark.parametrize("attempts", [2, 6])
async def test_t4_concurrent_key_creations_at_one_below_the_quota_let_exactly_one_through(api, attempts):
    alice = await api.sign_in()
    for number in range(FREE.quotas.api_keys - 1):
        assert (await api.client.post(KEYS, **_key_request(alice, f"key{number}"))).status_code == 201
    principal = Principal(
        user_id=alice.user.id, pubkey=alice.pubkey, role=alice.user.role, credential=CredentialKind.BEARER
    )

    async def race():
        # One use case (and unit of work) per request, as the app builds them.
        calls = [
            api.container.api_keys.create_api_key()(principal, f"racer{number}", ["wot:read"], NO_ORIGIN)
            for number in range(attempts)
        ]
        return await asyncio.gather(*calls, return_exceptions=True)

    outcomes = await api.run(race)
    assert sum(not isinstance(outcome, BaseException) for outcome in outcomes) == 1, outcomes
    assert all(isinstance(o, QuotaExceeded) for o in outcomes if isinstance(o, BaseException))
    assert len((await api.client.get(KEYS, headers=alice.headers)).json()["items"]) == FREE.quotas.api_keys
