import asyncio
from datetime import timedelta

import msgspec
import pytest

from bootstrap.settings import SettingsError, load_settings
from domain.billing.plans import DEFAULT_API_KEYS, DEFAULT_PLANS, PlanCatalog, discounted
from domain.billing.subscriptions import Subscription
from domain.shared.errors import InvalidInput
from tests.unit.billing.kit import NOW, billing_world


def test_discounts_round_down_and_never_make_a_paid_price_free() -> None:
    assert discounted(21_000, 0) == 21_000
    assert discounted(21_000, 15) == 17_850
    assert discounted(999, 10) == 899
    assert discounted(500, 100) == 1
    assert discounted(0, 50) == 0
    with pytest.raises(InvalidInput):
        discounted(100, 101)


def test_a_catalog_has_exactly_one_free_plan_and_unique_ids() -> None:
    free, monthly, _ = DEFAULT_PLANS
    with pytest.raises(InvalidInput):
        PlanCatalog((monthly,))
    with pytest.raises(InvalidInput):
        PlanCatalog((free, monthly, monthly))
    assert PlanCatalog(DEFAULT_PLANS).free == free


def test_plans_come_from_the_environment_and_a_bad_value_names_the_variable() -> None:
    plans = [
        {
            "id": "basic",
            "name": "Basic",
            "period_days": 0,
            "price_sats": 0,
            "price_usd_cents": 0,
            "quotas": {"names": 0, "custom_domains": 0, "api_requests_per_minute": 10},
        },
        {
            "id": "gold",
            "name": "Gold",
            "period_days": 90,
            "price_sats": 50_000,
            "price_usd_cents": 1_500,
            "quotas": {"names": 10, "custom_domains": 3, "api_requests_per_minute": 1000},
        },
    ]
    settings = load_settings({"BILLING_PLANS": msgspec.json.encode(plans).decode()})
    assert [plan.id for plan in settings.billing_plans] == ["basic", "gold"]
    assert settings.billing_plans[1].period == timedelta(days=90)
    with pytest.raises(SettingsError, match="BILLING_PLANS"):
        load_settings({"BILLING_PLANS": msgspec.json.encode(plans[1:]).decode()})
    with pytest.raises(SettingsError, match="BILLING_PLANS"):
        load_settings({"BILLING_PLANS": "[{"})


async def test_plans_show_the_list_price_beside_the_callers_discounted_price() -> None:
    world = billing_world()
    world.wot.discounts["ab" * 32] = 20
    priced = await world.container.billing.list_plans()("ab" * 32)
    monthly = next(p for p in priced if p.plan.id == "pro-monthly")
    assert (monthly.plan.price_sats, monthly.plan.price_usd_cents) == (21_000, 500)
    assert (monthly.discount_percent, monthly.discounted_price_sats, monthly.discounted_price_usd_cents) == (
        20,
        16_800,
        400,
    )
    anonymous = await world.container.billing.list_plans()(None)
    assert {p.discount_percent for p in anonymous} == {0}


async def test_a_wot_that_cannot_answer_in_time_means_list_price_not_an_error() -> None:
    world = billing_world()
    world.wot.hang = True
    async with asyncio.timeout(10):
        priced = await world.container.billing.list_plans()("cd" * 32)
    assert world.wot.calls == 1
    assert all(p.discount_percent == 0 for p in priced)
    world.wot.hang, world.wot.fail = False, True
    assert all(p.discount_percent == 0 for p in await world.container.billing.list_plans()("cd" * 32))


async def test_quotas_are_the_current_plans_else_the_free_plans() -> None:
    world = billing_world()
    user = await world.user()
    quotas = world.container.billing.get_quotas()
    free, monthly, _ = DEFAULT_PLANS
    assert await quotas(user.id) == free.quotas
    async with world.uow() as uow:
        active = Subscription.order(user_id=user.id, plan_id="pro-monthly", now=NOW).activate(
            NOW, timedelta(days=30)
        )
        await uow.subscriptions.add(active)
        await uow.commit()
    assert await quotas(user.id) == monthly.quotas
    world.clock.advance(timedelta(days=30))
    assert await quotas(user.id) == free.quotas


def test_t4_plans_written_before_the_api_keys_quota_get_its_default() -> None:
    free = {
        "id": "basic",
        "name": "Basic",
        "period_days": 0,
        "price_sats": 0,
        "price_usd_cents": 0,
        "quotas": {"names": 1, "custom_domains": 0, "api_requests_per_minute": 10},
    }
    settings = load_settings({"BILLING_PLANS": msgspec.json.encode([free]).decode()})
    assert settings.billing_plans[0].quotas.api_keys == DEFAULT_API_KEYS
    with_keys = {**free, "quotas": {**free["quotas"], "api_keys": 1}}
    assert (
        load_settings({"BILLING_PLANS": msgspec.json.encode([with_keys]).decode()})
        .billing_plans[0]
        .quotas.api_keys
        == 1
    )
