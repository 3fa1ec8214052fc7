import asyncio
import json
from datetime import timedelta

import pytest
from msgspec import structs

from domain.billing.ports import InvalidWebhookSignature, InvoiceState
from domain.billing.subscriptions import Currency, PaymentProviderName, PaymentStatus, SubscriptionStatus
from domain.names.nip05 import Nip05Status
from domain.shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests import builders
from tests.unit.billing.kit import NOW, BillingWorld, billing_world

MONTH = timedelta(days=30)


async def order(world: BillingWorld, user_id, pubkey: str = "ab" * 32, plan: str = "pro-monthly"):  # type: ignore[no-untyped-def]
    return await world.container.billing.start_subscription()(user_id, pubkey, plan, "fake")


def webhook(world: BillingWorld, invoice_id: str, event_id: str) -> tuple[dict[str, str], bytes]:
    body = json.dumps({"event_id": event_id, "invoice_id": invoice_id}).encode()
    return world.provider.sign(body), body


async def test_ordering_a_plan_opens_a_pending_subscription_and_a_discounted_payment() -> None:
    world = billing_world()
    user = await world.user()
    world.wot.discounts["ab" * 32] = 10
    checkout = await order(world, user.id)
    assert checkout.subscription.status is SubscriptionStatus.PENDING
    payment = checkout.payment
    assert (payment.status, payment.provider, payment.plan_id) == (
        PaymentStatus.PENDING,
        PaymentProviderName.FAKE,
        "pro-monthly",
    )
    assert (payment.list_amount, payment.discount_percent, payment.amount) == (21_000, 10, 18_900)
    assert payment.expires_at == NOW + timedelta(hours=1)
    async with world.uow() as uow:
        assert await uow.payments.get(payment.id) == payment
        assert await uow.subscriptions.get(checkout.subscription.id) == checkout.subscription


async def test_ordering_again_returns_the_open_invoice_instead_of_a_second_one() -> None:
    world = billing_world()
    user = await world.user()
    first = await order(world, user.id)
    world.wot.discounts["ab" * 32] = 50
    again = await order(world, user.id)
    assert again.payment == first.payment
    assert world.provider.created == 1
    world.clock.advance(timedelta(hours=1))
    later = await order(world, user.id)
    assert later.payment.id != first.payment.id
    assert later.subscription.id == first.subscription.id
    assert later.payment.discount_percent == 50


async def test_free_plans_unknown_plans_and_unavailable_providers_are_refused() -> None:
    world = billing_world()
    user = await world.user()
    with pytest.raises(InvalidInput):
        await order(world, user.id, plan="free")
    with pytest.raises(InvalidInput):
        await order(world, user.id, plan="platinum")
    with pytest.raises(InvalidInput) as refused:
        await world.container.billing.start_subscription()(user.id, "ab" * 32, "pro-monthly", "stripe")
    assert refused.value.errors == {"provider": "not available"}


async def test_fake_settle_activates_the_subscription_with_a_receipt_number_of_the_year() -> None:
    world = billing_world()
    user = await world.user()
    checkout = await order(world, user.id)
    paid = await world.container.billing.fake_settle()(user.id, checkout.payment.id)
    assert (paid.status, paid.paid_at, paid.receipt_number) == (PaymentStatus.PAID, NOW, "NID-2026-000001")
    current = await world.container.billing.get_current_subscription()(user.id)
    assert (current.status, current.starts_at, current.expires_at) == (
        SubscriptionStatus.ACTIVE,
        NOW,
        NOW + MONTH,
    )
    receipt = await world.container.billing.get_receipt()(user.id, checkout.payment.id)
    assert receipt.receipt_number == "NID-2026-000001"


async def test_k2_another_users_payment_is_not_found_and_cannot_be_settled() -> None:
    world = billing_world()
    owner, other = await world.user(), await world.user()
    checkout = await order(world, owner.id)
    with pytest.raises(NotFound):
        await world.container.billing.get_payment()(other.id, checkout.payment.id)
    with pytest.raises(NotFound):
        await world.container.billing.get_receipt()(other.id, checkout.payment.id)
    with pytest.raises(NotFound):
        await world.container.billing.fake_settle()(other.id, checkout.payment.id)
    with pytest.raises(NotFound):
        await world.container.billing.get_receipt()(owner.id, checkout.payment.id)
    assert (
        await world.container.billing.get_payment()(owner.id, checkout.payment.id)
    ).status is PaymentStatus.PENDING


async def test_fake_settle_is_refused_in_production() -> None:
    world = billing_world(environment="production")
    assert world.container.billing.payment_providers().names == []
    with pytest.raises(Forbidden):
        await world.container.billing.fake_settle()(builders.user().id, builders.user().id)


async def test_renewal_extends_from_the_current_end_and_withdraws_a_scheduled_cancel() -> None:
    world = billing_world()
    user = await world.user()
    first = await order(world, user.id)
    await world.container.billing.fake_settle()(user.id, first.payment.id)
    world.clock.advance(timedelta(days=10))
    canceled = await world.container.billing.cancel_subscription()(user.id)
    assert (canceled.status, canceled.canceled_at, canceled.expires_at) == (
        SubscriptionStatus.ACTIVE,
        NOW + timedelta(days=10),
        NOW + MONTH,
    )
    renewal = await order(world, user.id)
    assert renewal.subscription.id == first.subscription.id
    paid = await world.container.billing.fake_settle()(user.id, renewal.payment.id)
    assert paid.receipt_number == "NID-2026-000002"
    current = await world.container.billing.get_current_subscription()(user.id)
    assert (current.id, current.expires_at, current.canceled_at) == (
        first.subscription.id,
        NOW + 2 * MONTH,
        None,
    )
    with pytest.raises(Conflict):
        await order(world, user.id, plan="pro-yearly")


async def test_p2_one_webhook_delivered_1_3_and_10_times_concurrently_credits_once() -> None:
    world = billing_world()
    for deliveries in (1, 3, 10):
        user = await world.user()
        checkout = await order(world, user.id)
        await world.provider.settle(checkout.payment.provider_invoice_id)
        headers, body = webhook(world, checkout.payment.provider_invoice_id, f"evt-{deliveries}")
        handle = world.container.billing.handle_webhook
        await asyncio.gather(*(handle()("fake", headers, body) for _ in range(deliveries)))
        await handle()("fake", headers, body)
        async with world.uow() as uow:
            payments = await uow.payments.list_for_user(user.id)
            subscriptions = await uow.subscriptions.list_for_user(user.id)
        assert [p.status for p in payments] == [PaymentStatus.PAID]
        assert [s.expires_at for s in subscriptions] == [NOW + MONTH]
    assert world.store.receipt_counters == {2026: 3}


async def test_p2_distinct_deliveries_of_one_settled_invoice_credit_once() -> None:
    world = billing_world()
    user = await world.user()
    checkout = await order(world, user.id)
    await world.provider.settle(checkout.payment.provider_invoice_id)
    deliveries = [webhook(world, checkout.payment.provider_invoice_id, f"evt-{i}") for i in range(10)]
    await asyncio.gather(*(world.container.billing.handle_webhook()("fake", h, b) for h, b in deliveries))
    async with world.uow() as uow:
        (payment,) = await uow.payments.list_for_user(user.id)
    assert payment.receipt_number == "NID-2026-000001"
    assert world.store.receipt_counters == {2026: 1}


async def test_p3_out_of_order_events_end_in_the_providers_state() -> None:
    world = billing_world()
    user = await world.user()
    checkout = await order(world, user.id)
    invoice_id = checkout.payment.provider_invoice_id
    await world.provider.settle(invoice_id)
    # The "settled" event arrives first, then a stale "created" event: state stays paid.
    await world.container.billing.handle_webhook()("fake", *webhook(world, invoice_id, "evt-settled"))
    await world.container.billing.handle_webhook()("fake", *webhook(world, invoice_id, "evt-created"))
    paid = await world.container.billing.get_payment()(user.id, checkout.payment.id)
    assert paid.status is PaymentStatus.PAID

    other = await world.user()
    second = await order(world, other.id)
    # An "expired" event whose body says expired, while the provider has the invoice still open:
    # the body is not trusted, so nothing changes; the later settlement credits.
    await world.container.billing.handle_webhook()(
        "fake", *webhook(world, second.payment.provider_invoice_id, "x1")
    )
    assert (
        await world.container.billing.get_payment()(other.id, second.payment.id)
    ).status is PaymentStatus.PENDING
    await world.provider.set_state(second.payment.provider_invoice_id, InvoiceState.PAID)
    await world.container.billing.handle_webhook()(
        "fake", *webhook(world, second.payment.provider_invoice_id, "x2")
    )
    assert (
        await world.container.billing.get_payment()(other.id, second.payment.id)
    ).status is PaymentStatus.PAID


async def test_p1_a_webhook_with_a_bad_or_missing_signature_changes_nothing() -> None:
    world = billing_world()
    user = await world.user()
    checkout = await order(world, user.id)
    await world.provider.settle(checkout.payment.provider_invoice_id)
    headers, body = webhook(world, checkout.payment.provider_invoice_id, "evt-1")
    with pytest.raises(InvalidWebhookSignature):
        await world.container.billing.handle_webhook()("fake", headers, body + b" ")
    with pytest.raises(InvalidWebhookSignature):
        await world.container.billing.handle_webhook()("fake", {}, body)
    assert (
        await world.container.billing.get_payment()(user.id, checkout.payment.id)
    ).status is PaymentStatus.PENDING


async def test_a_paid_amount_that_differs_from_the_invoice_is_not_credited() -> None:
    world = billing_world()
    user = await world.user()
    checkout = await order(world, user.id)
    invoice = await world.provider.settle(checkout.payment.provider_invoice_id)
    await world.provider.report(
        type(invoice)(
            invoice_id=invoice.invoice_id, state=InvoiceState.PAID, amount=1, currency=invoice.currency
        )
    )
    await world.container.billing.handle_webhook()("fake", *webhook(world, invoice.invoice_id, "evt-1"))
    assert (
        await world.container.billing.get_payment()(user.id, checkout.payment.id)
    ).status is PaymentStatus.PENDING


async def test_settling_again_changes_nothing_and_without_a_subscription_it_is_not_found() -> None:
    world = billing_world()
    user = await world.user()
    checkout = await order(world, user.id)
    await world.container.billing.fake_settle()(user.id, checkout.payment.id)
    again = await world.container.billing.fake_settle()(user.id, checkout.payment.id)
    assert again.receipt_number == "NID-2026-000001"
    with pytest.raises(NotFound):
        await world.container.billing.get_current_subscription()((await world.user()).id)
    with pytest.raises(NotFound):
        await world.container.billing.cancel_subscription()((await world.user()).id)


async def test_names_held_by_billing_come_back_when_the_payment_settles() -> None:
    world = billing_world()
    user = await world.user()
    waiting = builders.nip05(user.id, status=Nip05Status.SUSPENDED)
    admin_suspended = builders.nip05(user.id, status=Nip05Status.SUSPENDED)
    async with world.uow() as uow:
        await uow.nip05_names.add(waiting)
        await uow.nip05_names.add(admin_suspended)
        await uow.name_holds.hold(waiting.id, user.id, NOW)
        await uow.commit()
    checkout = await order(world, user.id)
    await world.container.billing.fake_settle()(user.id, checkout.payment.id)
    async with world.uow() as uow:
        assert (await uow.nip05_names.get(waiting.id)).status is Nip05Status.ACTIVE  # type: ignore[union-attr]
        assert (await uow.nip05_names.get(admin_suspended.id)).status is Nip05Status.SUSPENDED  # type: ignore[union-attr]


async def test_t5_a_paid_amount_in_another_currency_is_not_credited() -> None:
    world = billing_world()
    user = await world.user()
    checkout = await order(world, user.id)
    invoice = await world.provider.settle(checkout.payment.provider_invoice_id)
    other = next(currency for currency in Currency if currency is not invoice.currency)
    await world.provider.report(structs.replace(invoice, currency=other))

    await world.container.billing.handle_webhook()("fake", *webhook(world, invoice.invoice_id, "evt-1"))

    paid = await world.container.billing.get_payment()(user.id, checkout.payment.id)
    assert (paid.status, paid.amount) == (PaymentStatus.PENDING, invoice.amount)


async def test_t5_p2_a_delivery_already_applied_changes_nothing_when_it_comes_again() -> None:
    world = billing_world()
    user = await world.user()
    checkout = await order(world, user.id)
    invoice_id = checkout.payment.provider_invoice_id
    first = webhook(world, invoice_id, "evt-1")
    await world.container.billing.handle_webhook()("fake", *first)  # applied while the invoice is open
    await world.provider.settle(invoice_id)

    await world.container.billing.handle_webhook()("fake", *first)

    pending = await world.container.billing.get_payment()(user.id, checkout.payment.id)
    assert pending.status is PaymentStatus.PENDING
    await world.container.billing.handle_webhook()("fake", *webhook(world, invoice_id, "evt-2"))
    assert (
        await world.container.billing.get_payment()(user.id, checkout.payment.id)
    ).status is PaymentStatus.PAID


async def test_paying_a_pending_invoice_for_another_plan_makes_the_subscription_that_plan() -> None:
    world = billing_world()
    user = await world.user()
    yearly = await order(world, user.id, plan="pro-yearly")
    monthly = await order(world, user.id)
    await world.container.billing.fake_settle()(user.id, monthly.payment.id)
    world.clock.advance(timedelta(days=10))
    await world.container.billing.fake_settle()(user.id, yearly.payment.id)
    current = await world.container.billing.get_current_subscription()(user.id)
    assert (current.id, current.plan_id, current.starts_at, current.expires_at) == (
        yearly.subscription.id,
        "pro-yearly",
        NOW + timedelta(days=10),
        NOW + timedelta(days=10 + 365),
    )
    async with world.uow() as uow:
        ended = await uow.subscriptions.get(monthly.subscription.id)
    assert ended is not None and ended.status is SubscriptionStatus.CANCELED


async def test_an_order_refused_for_another_active_plan_creates_no_provider_invoice() -> None:
    world = billing_world()
    user = await world.user()
    monthly = await order(world, user.id)
    await world.container.billing.fake_settle()(user.id, monthly.payment.id)
    invoices = world.provider.created
    with pytest.raises(Conflict):
        await order(world, user.id, plan="pro-yearly")
    assert world.provider.created == invoices
    async with world.uow() as uow:
        assert [p.id for p in await uow.payments.list_for_user(user.id)] == [monthly.payment.id]
