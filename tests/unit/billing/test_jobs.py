"""`nostr-id jobs run` billing jobs on a frozen clock: unpaid invoices, ended periods, lapsed names."""

from datetime import timedelta

import pytest
from msgspec import structs

from application.jobs import RecordsFailed
from domain.billing.ports import InvoiceState
from domain.billing.subscriptions import PaymentStatus, SubscriptionStatus
from tests import builders
from tests.unit.billing.kit import NOW, BillingWorld, billing_world

MONTH = timedelta(days=30)
GRACE = timedelta(days=7)


async def run_jobs(world: BillingWorld) -> tuple[int, int, int]:
    return (
        await world.container.billing.expire_unpaid_invoices()(),
        await world.container.billing.end_subscriptions()(),
        await world.container.billing.suspend_lapsed_names()(),
    )


async def subscribed_with_names(world: BillingWorld, count: int):  # type: ignore[no-untyped-def]
    user = await world.user()
    names = [builders.nip05(user.id, created_at=NOW + timedelta(seconds=i)) for i in range(count)]
    async with world.uow() as uow:
        for name in names:
            await uow.nip05_names.add(name)
        await uow.commit()
    checkout = await world.container.billing.start_subscription()(user.id, "ab" * 32, "pro-monthly", "fake")
    await world.container.billing.fake_settle()(user.id, checkout.payment.id)
    return user, names


async def served(world: BillingWorld, names) -> list[bool]:  # type: ignore[no-untyped-def]
    async with world.uow() as uow:
        return [(await uow.nip05_names.get(n.id)).is_served(world.clock.now()) for n in names]  # type: ignore[union-attr]


async def test_unpaid_invoices_expire_at_their_end_and_not_before() -> None:
    world = billing_world()
    user = await world.user()
    checkout = await world.container.billing.start_subscription()(user.id, "ab" * 32, "pro-monthly", "fake")
    world.clock.advance(timedelta(hours=1) - timedelta(seconds=1))
    assert await run_jobs(world) == (0, 0, 0)
    world.clock.advance(timedelta(seconds=1))
    assert await run_jobs(world) == (1, 0, 0)
    payment = await world.container.billing.get_payment()(user.id, checkout.payment.id)
    assert payment.status is PaymentStatus.EXPIRED
    assert (
        await world.container.billing.get_current_subscription()(user.id)
    ).status is SubscriptionStatus.PENDING


async def test_an_overdue_invoice_the_provider_reports_paid_is_credited_not_expired() -> None:
    world = billing_world()
    user = await world.user()
    checkout = await world.container.billing.start_subscription()(user.id, "ab" * 32, "pro-monthly", "fake")
    await world.provider.set_state(checkout.payment.provider_invoice_id, InvoiceState.PAID)
    world.clock.advance(timedelta(hours=2))
    assert await run_jobs(world) == (1, 0, 0)
    payment = await world.container.billing.get_payment()(user.id, checkout.payment.id)
    assert (payment.status, payment.receipt_number) == (PaymentStatus.PAID, "NID-2026-000001")


async def test_lapsed_names_leave_after_the_grace_period_and_return_on_renewal() -> None:
    world = billing_world()
    user, names = await subscribed_with_names(world, 3)
    world.clock.advance(MONTH - timedelta(seconds=1))
    assert await run_jobs(world) == (0, 0, 0)
    world.clock.advance(timedelta(seconds=1))
    assert await run_jobs(world) == (0, 1, 0)
    async with world.uow() as uow:
        (subscription,) = await uow.subscriptions.list_for_user(user.id)
    assert subscription.status is SubscriptionStatus.EXPIRED
    assert await served(world, names) == [True, True, True]

    world.clock.advance(GRACE - timedelta(seconds=1))
    assert await run_jobs(world) == (0, 0, 0)
    world.clock.advance(timedelta(seconds=1))
    # The free plan keeps one name (the oldest); the other two leave nostr.json.
    assert await run_jobs(world) == (0, 0, 2)
    assert await served(world, names) == [True, False, False]
    assert await run_jobs(world) == (0, 0, 0)

    checkout = await world.container.billing.start_subscription()(user.id, "ab" * 32, "pro-monthly", "fake")
    assert checkout.subscription.id != subscription.id
    await world.container.billing.fake_settle()(user.id, checkout.payment.id)
    assert await served(world, names) == [True, True, True]
    current = await world.container.billing.get_current_subscription()(user.id)
    assert current.expires_at == world.clock.now() + MONTH


async def test_a_cancellation_ends_the_subscription_as_canceled_at_period_end() -> None:
    world = billing_world()
    user, _ = await subscribed_with_names(world, 0)
    await world.container.billing.cancel_subscription()(user.id)
    assert (
        await world.container.billing.get_current_subscription()(user.id)
    ).status is SubscriptionStatus.ACTIVE
    world.clock.advance(MONTH)
    assert await run_jobs(world) == (0, 1, 0)
    async with world.uow() as uow:
        (subscription,) = await uow.subscriptions.list_for_user(user.id)
    assert subscription.status is SubscriptionStatus.CANCELED


async def test_an_admin_suspended_name_stays_suspended_after_renewal() -> None:
    world = billing_world()
    user, names = await subscribed_with_names(world, 2)
    async with world.uow() as uow:
        await uow.nip05_names.update(names[1].suspend(NOW))
        await uow.commit()
    world.clock.advance(MONTH + GRACE)
    assert await run_jobs(world) == (0, 1, 0)
    checkout = await world.container.billing.start_subscription()(user.id, "ab" * 32, "pro-monthly", "fake")
    await world.container.billing.fake_settle()(user.id, checkout.payment.id)
    assert await served(world, names) == [True, False]


async def test_t2_a_bad_payment_record_is_logged_and_skipped_and_the_others_are_expired_or_credited(
    caplog,  # type: ignore[no-untyped-def]
) -> None:
    world = billing_world()
    bad_user, good_user = await world.user(), await world.user()
    # The bad record's invoice expires first, so it comes first in the queue.
    bad = await world.container.billing.start_subscription()(bad_user.id, "ab" * 32, "pro-monthly", "fake")
    world.clock.advance(timedelta(seconds=1))
    good = await world.container.billing.start_subscription()(good_user.id, "ab" * 32, "pro-monthly", "fake")
    for checkout in (bad, good):
        await world.provider.set_state(checkout.payment.provider_invoice_id, InvoiceState.PAID)
    # A plan the operator has since retired: crediting this payment cannot start its period.
    async with world.uow() as uow:
        await uow.payments.update(structs.replace(bad.payment, plan_id="retired-plan"))
        await uow.commit()
    world.clock.advance(timedelta(hours=2))

    with pytest.raises(RecordsFailed) as failed:
        await world.container.billing.expire_unpaid_invoices()()

    assert (failed.value.changed, failed.value.failed) == (1, 1)
    assert (
        await world.container.billing.get_payment()(good_user.id, good.payment.id)
    ).status is PaymentStatus.PAID
    assert (
        await world.container.billing.get_payment()(bad_user.id, bad.payment.id)
    ).status is PaymentStatus.PENDING
    assert any(str(bad.payment.id) in record.getMessage() for record in caplog.records)


async def test_names_billing_holds_and_releases_leave_and_return_to_nostr_json_at_once() -> None:
    world = billing_world()
    user = await world.user()
    domain = world.container.settings().default_domain
    names = [builders.nip05(user.id, domain=domain, created_at=NOW + timedelta(seconds=i)) for i in range(2)]
    async with world.uow() as uow:
        for name in names:
            await uow.nip05_names.add(name)
        await uow.commit()
    checkout = await world.container.billing.start_subscription()(user.id, "ab" * 32, "pro-monthly", "fake")
    await world.container.billing.fake_settle()(user.id, checkout.payment.id)
    directory = world.container.names.nostr_json_directory()
    held = names[1]

    async def answered() -> bool:
        return held.pubkey.encode() in (await directory.answer(domain, held.name)).body

    assert await answered()  # and now kept, warm, in this process
    world.clock.advance(MONTH + GRACE)
    await run_jobs(world)
    assert await served(world, names) == [True, False]
    assert not await answered()

    renewal = await world.container.billing.start_subscription()(user.id, "ab" * 32, "pro-monthly", "fake")
    await world.container.billing.fake_settle()(user.id, renewal.payment.id)
    assert await answered()
