"""The billing additions to the repositories, in PostgreSQL and in memory: locked reads, overdue
payments, per-year receipt counters, lapsed users and the names billing holds."""

import asyncio
from datetime import timedelta

import pytest

from domain.billing.subscriptions import PaymentStatus
from domain.names.nip05 import Nip05Status
from tests import builders
from tests.builders import NOW
from tests.integration.postgres.support import UowFactory, committed

pytestmark = pytest.mark.integration

MONTH = timedelta(days=30)


async def test_payments_keep_their_plan_list_price_and_discount(new_uow: UowFactory) -> None:
    user = builders.user()
    payment = builders.payment(user.id, plan_id="pro-monthly", list_amount=25_000, discount_percent=16)
    await committed(new_uow, user, payment)
    async with new_uow() as uow:
        assert await uow.payments.get(payment.id) == payment
        assert await uow.payments.get_for_update(payment.id) == payment


async def test_overdue_payments_are_pending_ones_past_their_expiry(new_uow: UowFactory) -> None:
    user = builders.user()
    due = builders.payment(user.id, expires_at=NOW - timedelta(minutes=1))
    on_the_edge = builders.payment(user.id, expires_at=NOW)
    later = builders.payment(user.id, expires_at=NOW + timedelta(seconds=1))
    paid = builders.payment(user.id, expires_at=NOW - MONTH).mark_paid(NOW, f"R-{user.id}")
    await committed(new_uow, user, due, on_the_edge, later, paid)
    async with new_uow() as uow:
        found = [p.id for p in await uow.payments.list_overdue(NOW, 1000) if p.user_id == user.id]
        assert found == [due.id, on_the_edge.id]
        assert len(await uow.payments.list_overdue(NOW, 1)) == 1


async def test_t2_an_overdue_payment_marked_as_tried_comes_after_the_others(new_uow: UowFactory) -> None:
    user = builders.user()
    first, second, third = (
        builders.payment(user.id, expires_at=NOW - timedelta(minutes=m)) for m in (3, 2, 1)
    )
    await committed(new_uow, user, first, second, third)
    async with new_uow() as uow:
        await uow.payments.mark_expiry_tried(second.id, NOW)
        await uow.payments.mark_expiry_tried(first.id, NOW + timedelta(seconds=1))
        await uow.commit()

    async with new_uow() as uow:
        overdue = await uow.payments.list_overdue(NOW + timedelta(minutes=1), 500)
    mine = {first.id, second.id, third.id}
    assert [payment.id for payment in overdue if payment.id in mine] == [third.id, second.id, first.id]


async def test_receipt_numbers_count_per_year_and_a_rollback_gives_the_number_back(
    new_uow: UowFactory,
) -> None:
    year = 2100 + (hash(new_uow) % 500)
    async with new_uow() as uow:
        first = await uow.payments.next_receipt_number(year)
        await uow.commit()
    async with new_uow() as uow:
        assert await uow.payments.next_receipt_number(year) == first + 1
        await uow.rollback()
    async with new_uow() as uow:
        assert await uow.payments.next_receipt_number(year) == first + 1
        assert await uow.payments.next_receipt_number(year + 1) == 1
        await uow.commit()


async def test_a_locked_payment_makes_a_second_settler_wait_and_see_the_outcome(new_uow: UowFactory) -> None:
    user = builders.user()
    payment = builders.payment(user.id)
    await committed(new_uow, user, payment)
    order: list[str] = []
    first_locked = asyncio.Event()

    async def settle(name: str, hold: asyncio.Event | None) -> PaymentStatus:
        async with new_uow() as uow:
            found = await uow.payments.get_for_update(payment.id)
            assert found is not None
            order.append(name)
            first_locked.set()
            if hold is not None:
                await hold.wait()
            if found.status is PaymentStatus.PENDING:
                await uow.payments.update(found.mark_paid(NOW, f"R-{payment.id}"))
            await uow.commit()
            return found.status

    release = asyncio.Event()
    first = asyncio.create_task(settle("first", release))
    await asyncio.wait_for(first_locked.wait(), 10)
    second = asyncio.create_task(settle("second", None))
    await asyncio.sleep(0.2)
    assert order == ["first"]
    release.set()
    assert await asyncio.wait_for(asyncio.gather(first, second), 10) == [
        PaymentStatus.PENDING,
        PaymentStatus.PAID,
    ]


async def test_lapsed_users_have_no_active_plan_and_more_active_names_than_free(new_uow: UowFactory) -> None:
    lapsed, renewed, few_names, recent = (builders.user() for _ in range(4))
    records: list[object] = [lapsed, renewed, few_names, recent]
    for user, ended in (
        (lapsed, NOW - MONTH),
        (renewed, NOW - MONTH),
        (few_names, NOW - MONTH),
        (recent, NOW),
    ):
        records.append(builders.subscription(user.id).activate(ended - MONTH, MONTH).expire(ended))
    records.append(builders.subscription(renewed.id).activate(NOW, MONTH))
    for user in (lapsed, renewed, recent):
        records += [builders.nip05(user.id), builders.nip05(user.id)]
    records.append(builders.nip05(few_names.id))
    records.append(builders.nip05(lapsed.id, status=Nip05Status.SUSPENDED))
    await committed(new_uow, *records)
    async with new_uow() as uow:
        found = await uow.subscriptions.list_lapsed_users(NOW - timedelta(days=7), 1, 10_000)
    mine = {lapsed.id, renewed.id, few_names.id, recent.id}
    assert [user_id for user_id in found if user_id in mine] == [lapsed.id]


async def test_name_holds_are_recorded_once_and_released_per_user(new_uow: UowFactory) -> None:
    user, other = builders.user(), builders.user()
    first, second, others = builders.nip05(user.id), builders.nip05(user.id), builders.nip05(other.id)
    await committed(new_uow, user, other, first, second, others)
    async with new_uow() as uow:
        assert await uow.name_holds.hold(first.id, user.id, NOW) is True
        assert await uow.name_holds.hold(first.id, user.id, NOW) is False
        assert await uow.name_holds.hold(second.id, user.id, NOW) is True
        assert await uow.name_holds.hold(others.id, other.id, NOW) is True
        await uow.commit()
    async with new_uow() as uow:
        assert await uow.name_holds.release_for_user(user.id) == sorted([first.id, second.id])
        await uow.commit()
    async with new_uow() as uow:
        assert await uow.name_holds.release_for_user(user.id) == []
        assert await uow.name_holds.release_for_user(other.id) == [others.id]
