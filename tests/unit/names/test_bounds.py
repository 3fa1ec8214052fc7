"""T4: every size a user controls on a name is bounded in the use case, and so is a nostr.json answer."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from msgspec import structs

from application.names.nostr_json import EMPTY
from domain.names.nip05 import MAX_ANSWER_BYTES, MAX_RELAY_URL_LENGTH, MAX_RELAYS
from domain.shared.clock import FixedClock
from domain.shared.errors import InvalidInput
from tests import builders
from tests.fakes.unit_of_work import FakeUnitOfWork, MemoryStore
from tests.support.app import container_for_tests, settings_for_tests

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
DEFAULT = "id.example.net"


def relay_url(length: int, index: int = 0) -> str:
    head = f"wss://relay{index}.example/"
    return head + "x" * (length - len(head))


@pytest.fixture
async def world(tmp_path):  # type: ignore[no-untyped-def]
    store = MemoryStore()
    container = container_for_tests(
        settings_for_tests(tmp_path, default_domain=DEFAULT),
        clock=FixedClock(NOW),
        store=store,
    )
    user = builders.user()
    async with FakeUnitOfWork(store) as uow:
        await uow.users.add(user)
        await uow.commit()
    return store, container, user


@pytest.mark.parametrize(
    "relays",
    [
        [relay_url(MAX_RELAY_URL_LENGTH + 1)],
        [relay_url(495_000)],
        [relay_url(40, index) for index in range(MAX_RELAYS + 1)],
        ['wss://relay.example/"quoted"'],
        ["wss://relay.example/\x01"],
        ["wss://relay.example/é"],
    ],
)
async def test_t4_relays_beyond_their_bounds_are_refused_by_the_use_cases(world, relays) -> None:  # type: ignore[no-untyped-def]
    store, container, user = world
    with pytest.raises(InvalidInput) as refused:
        await container.names.register_name()(user.id, "alice", relays=relays)
    assert set(refused.value.errors) == {"relays"}
    record = await container.names.register_name()(user.id, "alice", relays=[relay_url(MAX_RELAY_URL_LENGTH)])
    with pytest.raises(InvalidInput):
        await container.names.update_name()(user.id, record.id, relays)
    async with FakeUnitOfWork(store) as uow:
        kept = await uow.nip05_names.get(record.id)
    assert kept is not None and kept.relays == (relay_url(MAX_RELAY_URL_LENGTH),)


async def test_t4_a_domain_longer_than_a_dns_name_is_refused_by_the_use_case(world) -> None:  # type: ignore[no-untyped-def]
    _, container, user = world
    with pytest.raises(InvalidInput):
        await container.names.register_name()(user.id, "alice", domain="a." * 127 + "org")


async def test_t4_a_nostr_json_answer_stays_within_its_bound_whatever_is_stored(world) -> None:  # type: ignore[no-untyped-def]
    store, container, user = world
    widest = [relay_url(MAX_RELAY_URL_LENGTH, index) for index in range(MAX_RELAYS)]
    name = "k" * 64
    record = await container.names.register_name()(user.id, name, relays=widest)
    directory = container.names.nostr_json_directory()
    # The widest way to ask: the Kelvin sign lowercases to k and takes three bytes in UTF-8.
    asked = "\u212a" * 64
    answer = await directory.answer(DEFAULT, asked)
    assert len(answer.body) <= MAX_ANSWER_BYTES
    assert b"relay19.example" in answer.body and asked.encode() in answer.body

    # A row written before the bounds (20 relays of 495 KB) is served within them all the same.
    stored = structs.replace(record, name="old", relays=tuple(relay_url(495_000, i) for i in range(25)))
    async with FakeUnitOfWork(store) as uow:
        await uow.nip05_names.add(structs.replace(stored, id=uuid4()))
        await uow.commit()
    assert len((await directory.answer(DEFAULT, "old")).body) <= MAX_ANSWER_BYTES


async def test_t4_a_host_asked_before_its_domain_was_verified_is_served_once_told(world) -> None:  # type: ignore[no-untyped-def]
    store, container, user = world
    directory = container.names.nostr_json_directory()
    record = structs.replace(builders.nip05(user.id, domain="kim-names.net", name="kim"), pubkey=user.pubkey)
    claim = builders.domain(user.id, domain="kim-names.net")
    async with FakeUnitOfWork(store) as uow:
        await uow.nip05_names.add(record)
        await uow.domains.add(claim)
        await uow.commit()
    assert (await directory.answer("kim-names.net", "kim")).body == EMPTY

    async with directory.changing("kim-names.net", ["kim"]), FakeUnitOfWork(store) as uow:
        await uow.domains.update(claim.mark_verified(NOW))
        await uow.commit()
    assert (await directory.answer("kim-names.net", "kim")).body != EMPTY
