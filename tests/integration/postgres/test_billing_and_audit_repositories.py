"""Subscriptions, payments, processed webhooks and the audit log, in PostgreSQL and in memory."""

import asyncio
from datetime import timedelta
from uuid import uuid4

import pytest

from domain.audit.entries import AuditLogQuery
from domain.billing.subscriptions import PaymentProviderName, format_receipt_number
from domain.shared.errors import Conflict, NotFound
from domain.shared.paging import PageCursor
from tests import builders
from tests.builders import NOW
from tests.integration.postgres.support import UowFactory, committed

pytestmark = pytest.mark.integration

MONTH = timedelta(days=30)


async def test_subscriptions_round_trip_and_the_active_one_is_found(new_uow: UowFactory) -> None:
    user = builders.user()
    old = builders.subscription(user.id, created_at=NOW - MONTH).activate(NOW - MONTH, MONTH).cancel(NOW)
    current = builders.subscription(user.id).activate(NOW, MONTH)
    pending = builders.subscription(user.id, created_at=NOW + timedelta(seconds=1))
    await committed(new_uow, user, old, current, pending)

    async with new_uow() as uow:
        assert await uow.subscriptions.get(old.id) == old
        assert await uow.subscriptions.get_active_for_user(user.id) == current
        assert await uow.subscriptions.get_active_for_user(uuid4()) is None
        assert await uow.subscriptions.list_for_user(user.id) == [pending, current, old]


async def test_a_user_has_at_most_one_active_subscription(new_uow: UowFactory) -> None:
    user = builders.user()
    active = builders.subscription(user.id).activate(NOW, MONTH)
    second = builders.subscription(user.id)
    await committed(new_uow, user, active, second)

    async with new_uow() as uow:
        with pytest.raises(Conflict):
            await uow.subscriptions.update(second.activate(NOW, MONTH))
        with pytest.raises(Conflict):
            await uow.subscriptions.add(builders.subscription(user.id).activate(NOW, MONTH))
        await uow.subscriptions.update(active.cancel(NOW))
        await uow.subscriptions.update(second.activate(NOW, MONTH))
        with pytest.raises(NotFound):
            await uow.subscriptions.update(builders.subscription(user.id))
        await uow.commit()

    async with new_uow() as uow:
        assert await uow.subscriptions.get_active_for_user(user.id) == second.activate(NOW, MONTH)
        assert await uow.subscriptions.get(active.id) == active.cancel(NOW)


async def test_subscriptions_due_to_expire_are_listed_earliest_end_first(new_uow: UowFactory) -> None:
    first_user, second_user, third_user = builders.user(), builders.user(), builders.user()
    ended = builders.subscription(first_user.id).activate(NOW - 2 * MONTH, MONTH)
    ending_now = builders.subscription(second_user.id).activate(NOW - MONTH, MONTH)
    running = builders.subscription(third_user.id).activate(NOW, MONTH)
    await committed(new_uow, first_user, second_user, third_user, ended, ending_now, running)
    ours = {ended.id, ending_now.id, running.id}

    async with new_uow() as uow:
        due = await uow.subscriptions.list_due_to_expire(NOW, limit=10_000)
        limited = await uow.subscriptions.list_due_to_expire(NOW, limit=1)

    assert [s.id for s in due if s.id in ours] == [ended.id, ending_now.id]
    assert len(limited) == 1


async def test_payments_round_trip_and_are_found_by_provider_invoice(new_uow: UowFactory) -> None:
    user = builders.user()
    subscription = builders.subscription(user.id)
    older = builders.payment(user.id, subscription_id=subscription.id, created_at=NOW - timedelta(hours=1))
    newer = builders.payment(user.id)
    await committed(new_uow, user, subscription, older, newer)

    async with new_uow() as uow:
        assert await uow.payments.get(older.id) == older
        assert await uow.payments.get_by_provider_invoice(newer.provider, newer.provider_invoice_id) == newer
        assert (
            await uow.payments.get_by_provider_invoice(PaymentProviderName.STRIPE, newer.provider_invoice_id)
            is None
        )
        assert await uow.payments.list_for_user(user.id) == [newer, older]


async def test_a_provider_invoice_is_recorded_once(new_uow: UowFactory) -> None:
    user = builders.user()
    payment = builders.payment(user.id)
    await committed(new_uow, user, payment)

    async with new_uow() as uow:
        with pytest.raises(Conflict):
            await uow.payments.add(builders.payment(user.id, provider_invoice_id=payment.provider_invoice_id))
        same_id_other_provider = builders.payment(
            user.id, provider=PaymentProviderName.STRIPE, provider_invoice_id=payment.provider_invoice_id
        )
        await uow.payments.add(same_id_other_provider)
        await uow.commit()

    async with new_uow() as uow:
        found = await uow.payments.get_by_provider_invoice(
            PaymentProviderName.STRIPE, payment.provider_invoice_id
        )
    assert found == same_id_other_provider


async def test_paid_payments_get_consecutive_unique_receipt_numbers(new_uow: UowFactory) -> None:
    user = builders.user()
    first, second = builders.payment(user.id), builders.payment(user.id)
    await committed(new_uow, user, first, second)

    async with new_uow() as uow:
        number = await uow.payments.next_receipt_number(NOW.year)
        following = await uow.payments.next_receipt_number(NOW.year)
        paid = first.mark_paid(NOW, format_receipt_number(NOW.year, number))
        await uow.payments.update(paid)
        with pytest.raises(Conflict):
            await uow.payments.update(second.mark_paid(NOW, paid.receipt_number or ""))
        with pytest.raises(NotFound):
            await uow.payments.update(builders.payment(user.id))
        await uow.commit()

    assert following == number + 1
    async with new_uow() as uow:
        assert await uow.payments.get(first.id) == paid
        assert await uow.payments.get(second.id) == second


async def test_a_webhook_event_is_marked_processed_once(new_uow: UowFactory) -> None:
    event_id = f"evt_{uuid4().hex}"
    async with new_uow() as uow:
        assert await uow.webhook_events.mark_processed(PaymentProviderName.STRIPE, event_id, NOW) is True
        assert await uow.webhook_events.mark_processed(PaymentProviderName.STRIPE, event_id, NOW) is False
        assert await uow.webhook_events.mark_processed(PaymentProviderName.BTCPAY, event_id, NOW) is True
        await uow.commit()

    async with new_uow() as uow:
        assert await uow.webhook_events.mark_processed(PaymentProviderName.STRIPE, event_id, NOW) is False


@pytest.mark.parametrize("deliveries", [1, 3, 10])
async def test_concurrent_deliveries_of_one_webhook_are_processed_exactly_once(
    new_uow: UowFactory, deliveries: int
) -> None:
    event_id = f"evt_{uuid4().hex}"

    async def deliver() -> bool:
        async with new_uow() as uow:
            first = await uow.webhook_events.mark_processed(PaymentProviderName.BTCPAY, event_id, NOW)
            await uow.commit()
            return first

    results = await asyncio.gather(*(deliver() for _ in range(deliveries)))
    assert results.count(True) == 1


async def test_a_rolled_back_delivery_can_be_processed_again(new_uow: UowFactory) -> None:
    event_id = f"evt_{uuid4().hex}"
    async with new_uow() as uow:
        assert await uow.webhook_events.mark_processed(PaymentProviderName.LNBITS, event_id, NOW) is True

    async with new_uow() as uow:
        assert await uow.webhook_events.mark_processed(PaymentProviderName.LNBITS, event_id, NOW) is True


async def test_audit_entries_round_trip_and_filter(new_uow: UowFactory) -> None:
    actor, other = builders.user(), builders.user()
    entries = [
        builders.audit_entry(actor.id, occurred_at=NOW + timedelta(minutes=i), action=action)
        for i, action in enumerate(["auth.login", "admin.user.suspend", "auth.login", "admin.nip05.suspend"])
    ]
    anonymous = builders.audit_entry(
        None, actor_pubkey=builders.pubkey(), ip=None, user_agent=None, details={}
    )
    await committed(new_uow, actor, other, *entries, anonymous, builders.audit_entry(other.id))

    async with new_uow() as uow:
        everything = await uow.audit_log.search(AuditLogQuery(actor_user_id=actor.id))
        logins = await uow.audit_log.search(AuditLogQuery(actor_user_id=actor.id, action="auth.login"))
        window = await uow.audit_log.search(
            AuditLogQuery(
                actor_user_id=actor.id, since=NOW + timedelta(minutes=1), until=NOW + timedelta(minutes=3)
            )
        )
        page = await uow.audit_log.search(AuditLogQuery(actor_user_id=actor.id, limit=3))
        rest = await uow.audit_log.search(
            AuditLogQuery(actor_user_id=actor.id, after=PageCursor(at=page[-1].occurred_at, id=page[-1].id))
        )
        by_action = await uow.audit_log.search(AuditLogQuery(action=anonymous.action, since=NOW, limit=1000))

    assert everything == entries
    assert logins == [entries[0], entries[2]]
    assert window == entries[1:3]
    assert page + rest == entries
    assert anonymous in by_action
    assert everything[0].details == {"reason": "spam", "count": 3}
    assert everything[0].ip == "2001:db8::1"


async def test_an_audit_entry_id_is_unique(new_uow: UowFactory) -> None:
    entry = builders.audit_entry()
    await committed(new_uow, entry)

    async with new_uow() as uow:
        with pytest.raises(Conflict):
            await uow.audit_log.add(builders.audit_entry(id=entry.id))
