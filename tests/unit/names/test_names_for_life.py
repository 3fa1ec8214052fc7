"""Look-alikes between accounts (N9), transfer offers (N6) and names held for a payment, on the
container over the memory twin of the database."""

from datetime import UTC, datetime, timedelta

import pytest
from dependency_injector import providers

from domain.audit.entries import Actor, AuditLogQuery
from domain.names.nip05 import Nip05Status
from domain.names.transfers import MAX_OPEN_OFFERS, OFFER_LIFETIME
from domain.shared.clock import FixedClock
from domain.shared.errors import Conflict, InvalidInput, NotFound
from tests import builders
from tests.fakes.unit_of_work import FakeUnitOfWork, MemoryStore
from tests.support.app import container_for_tests, settings_for_tests
from tests.support.lookalikes import N9_CASES
from tests.support.plans import ROOMY_PLANS

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
DEFAULT = "id.example.net"


@pytest.fixture
def world(tmp_path):  # type: ignore[no-untyped-def]
    store, clock = MemoryStore(), FixedClock(NOW)
    container = container_for_tests(
        settings_for_tests(tmp_path, default_domain=DEFAULT, billing_plans=ROOMY_PLANS),
        clock=clock,
        unit_of_work=providers.Factory(FakeUnitOfWork, store),
    )
    return store, clock, container


async def _user(store: MemoryStore):  # type: ignore[no-untyped-def]
    user = builders.user()
    async with FakeUnitOfWork(store) as uow:
        await uow.users.add(user)
        await uow.commit()
    return user


def _actor(user) -> Actor:  # type: ignore[no-untyped-def]
    return Actor(user_id=user.id, pubkey=user.pubkey)


@pytest.mark.parametrize(("held", "asked", "same_owner", "refused"), N9_CASES)
async def test_n9_a_name_passing_for_another_accounts_name_is_refused(  # type: ignore[no-untyped-def]
    world, held: str, asked: str, same_owner: bool, refused: bool
) -> None:
    store, _, container = world
    owner = await _user(store)
    asker = owner if same_owner else await _user(store)
    await container.names.register_name()(owner.id, held)

    availability = await container.names.check_name_availability()(asker.id, asked)
    if refused:
        assert not availability.available
        expected = "taken" if asked.lower() == held else held
        assert availability.reason is not None and expected in availability.reason
        with pytest.raises(Conflict, match=f"{held}.*(taken|another account)"):
            await container.names.register_name()(asker.id, asked)
    else:
        assert availability.available, availability.reason
        record = await container.names.register_name()(asker.id, asked)
        assert record.name == asked.lower()


async def test_n9_anonymous_availability_names_the_lookalike(world) -> None:  # type: ignore[no-untyped-def]
    store, _, container = world
    await container.names.register_name()((await _user(store)).id, "satoshi")
    answer = await container.names.check_name_availability()(None, "sat0shi")
    assert not answer.available and answer.reason is not None and "satoshi" in answer.reason


async def test_n9_a_released_name_past_its_cooldown_no_longer_blocks_its_lookalikes(world) -> None:  # type: ignore[no-untyped-def]
    store, clock, container = world
    first, second = await _user(store), await _user(store)
    record = await container.names.register_name()(first.id, "harold")
    await container.names.release_name()(first.id, record.id)
    clock.advance(timedelta(days=31))
    assert (await container.names.register_name()(second.id, "har0ld")).name == "har0ld"


async def test_n6_an_offer_is_accepted_by_its_receiver_and_the_name_moves(world) -> None:  # type: ignore[no-untyped-def]
    store, _, container = world
    giver, receiver = await _user(store), await _user(store)
    record = await container.names.register_name()(giver.id, "gift", relays=["wss://giver.relay"])
    offer = await container.names.offer_name()(_actor(giver), record.id, receiver.pubkey)
    assert offer.expires_at == NOW + OFFER_LIFETIME

    listed = await container.names.list_offers()(receiver.id, receiver.pubkey)
    assert [o.id for o in listed.items] == [offer.id] and listed.next_cursor is None
    moved = await container.names.accept_offer()(_actor(receiver), offer.id)

    assert (moved.user_id, moved.pubkey, moved.relays) == (receiver.id, receiver.pubkey, ())
    assert [n.id for n in await container.names.list_names()(receiver.id)] == [record.id]
    assert await container.names.list_names()(giver.id) == []
    async with FakeUnitOfWork(store) as uow:
        entries = await uow.audit_log.search(AuditLogQuery())
    assert {(e.action, e.actor_user_id) for e in entries} == {
        ("nip05.transfer_offered", giver.id),
        ("nip05.transfer_accepted", receiver.id),
        ("nip05.transferred_away", giver.id),
    }


async def test_n6_only_the_receiver_accepts_and_only_once(world) -> None:  # type: ignore[no-untyped-def]
    store, _, container = world
    giver, receiver, stranger = await _user(store), await _user(store), await _user(store)
    record = await container.names.register_name()(giver.id, "once")
    offer = await container.names.offer_name()(_actor(giver), record.id, receiver.pubkey)
    with pytest.raises(NotFound):
        await container.names.accept_offer()(_actor(stranger), offer.id)
    await container.names.accept_offer()(_actor(receiver), offer.id)
    with pytest.raises(NotFound):
        await container.names.accept_offer()(_actor(receiver), offer.id)


async def test_n6_an_expired_offer_is_refused_and_the_name_stays(world) -> None:  # type: ignore[no-untyped-def]
    store, clock, container = world
    giver, receiver = await _user(store), await _user(store)
    record = await container.names.register_name()(giver.id, "late")
    offer = await container.names.offer_name()(_actor(giver), record.id, receiver.pubkey)
    clock.advance(OFFER_LIFETIME)
    with pytest.raises(Conflict, match="expired"):
        await container.names.accept_offer()(_actor(receiver), offer.id)
    assert [n.id for n in await container.names.list_names()(giver.id)] == [record.id]


async def test_n6_a_locked_name_refuses_offers_and_locking_withdraws_open_ones(world) -> None:  # type: ignore[no-untyped-def]
    store, _, container = world
    giver, receiver = await _user(store), await _user(store)
    record = await container.names.register_name()(giver.id, "kept")
    offer = await container.names.offer_name()(_actor(giver), record.id, receiver.pubkey)
    locked = await container.names.update_name()(giver.id, record.id, locked=True)
    assert locked.locked
    with pytest.raises(Conflict, match="locked"):
        await container.names.offer_name()(_actor(giver), record.id, receiver.pubkey)
    with pytest.raises(NotFound):
        await container.names.accept_offer()(_actor(receiver), offer.id)


async def test_n6_offers_to_the_names_own_pubkey_or_of_anothers_name_are_refused(world) -> None:  # type: ignore[no-untyped-def]
    store, _, container = world
    giver, other = await _user(store), await _user(store)
    record = await container.names.register_name()(giver.id, "mine")
    with pytest.raises(InvalidInput):
        await container.names.offer_name()(_actor(giver), record.id, giver.pubkey)
    with pytest.raises(InvalidInput):
        await container.names.offer_name()(_actor(giver), record.id, "not-a-pubkey")
    with pytest.raises(NotFound):
        await container.names.offer_name()(_actor(other), record.id, other.pubkey)


async def test_n6_the_receiver_may_not_take_a_name_passing_for_a_third_accounts(world) -> None:  # type: ignore[no-untyped-def]
    store, _, container = world
    giver, receiver = await _user(store), await _user(store)
    record = await container.names.register_name()(giver.id, "twin")
    await container.names.register_name()(giver.id, "tvvin")
    offer = await container.names.offer_name()(_actor(giver), record.id, receiver.pubkey)
    with pytest.raises(Conflict, match="tvvin"):
        await container.names.accept_offer()(_actor(receiver), offer.id)


async def test_n6_the_maker_cancels_an_offer(world) -> None:  # type: ignore[no-untyped-def]
    store, _, container = world
    giver, receiver = await _user(store), await _user(store)
    record = await container.names.register_name()(giver.id, "maybe")
    offer = await container.names.offer_name()(_actor(giver), record.id, receiver.pubkey)
    with pytest.raises(NotFound):
        await container.names.cancel_offer()(_actor(receiver), offer.id)
    await container.names.cancel_offer()(_actor(giver), offer.id)
    assert (await container.names.list_offers()(giver.id, giver.pubkey)).items == []


async def test_a_name_held_for_a_checkout_is_refused_to_others_until_the_payment_ends(world) -> None:  # type: ignore[no-untyped-def]
    store, _, container = world
    buyer, other = await _user(store), await _user(store)
    checkout = await container.billing.start_subscription()(
        buyer.id, buyer.pubkey, "pro-monthly", "fake", names=["Zelda"]
    )
    (held,) = await container.names.list_names()(buyer.id)
    assert (held.name, held.status) == ("zelda", Nip05Status.PENDING_PAYMENT)
    answer = await container.names.check_name_availability()(other.id, "zelda")
    assert not answer.available and answer.reason is not None and "held" in answer.reason
    with pytest.raises(Conflict, match="held for another buyer"):
        await container.names.register_name()(other.id, "zelda")
    with pytest.raises(Conflict, match="held for another buyer"):
        await container.billing.start_subscription()(
            other.id, other.pubkey, "pro-monthly", "fake", names=["zeida"]
        )
    assert checkout.payment.status.value == "pending"


async def test_offers_are_listed_a_page_at_a_time_and_expired_ones_left_out(world) -> None:  # type: ignore[no-untyped-def]
    store, clock, container = world
    giver, receiver = await _user(store), await _user(store)
    record = await container.names.register_name()(giver.id, "paged")
    made = []
    for _ in range(5):
        made.append(await container.names.offer_name()(_actor(giver), record.id, receiver.pubkey))
        clock.advance(timedelta(seconds=1))
    first = await container.names.list_offers()(receiver.id, receiver.pubkey, limit=2)
    second = await container.names.list_offers()(receiver.id, receiver.pubkey, first.next_cursor, limit=2)
    third = await container.names.list_offers()(receiver.id, receiver.pubkey, second.next_cursor, limit=2)
    assert [o.id for o in first.items + second.items + third.items] == [o.id for o in made]
    assert third.next_cursor is None

    clock.advance(OFFER_LIFETIME - timedelta(seconds=3))
    remaining = await container.names.list_offers()(giver.id, giver.pubkey)
    assert [o.id for o in remaining.items] == [o.id for o in made[3:]]


async def test_n6_a_name_has_at_most_ten_open_offers_and_expired_ones_make_room(world) -> None:  # type: ignore[no-untyped-def]
    store, clock, container = world
    giver, receiver = await _user(store), await _user(store)
    record = await container.names.register_name()(giver.id, "popular")
    for _ in range(MAX_OPEN_OFFERS):
        await container.names.offer_name()(_actor(giver), record.id, receiver.pubkey)
    with pytest.raises(Conflict, match="open offers"):
        await container.names.offer_name()(_actor(giver), record.id, receiver.pubkey)
    clock.advance(OFFER_LIFETIME)
    await container.names.offer_name()(_actor(giver), record.id, receiver.pubkey)
    async with FakeUnitOfWork(store) as uow:
        assert await uow.transfer_offers.count_open(record.id, clock.now()) == 1
        assert await uow.transfer_offers.delete_for_name(record.id) == 1
