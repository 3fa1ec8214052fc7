"""Sending renewal reminders, over the memory unit of work and relay: a reminder is sent once, a
send no relay accepts is tried again by the next run, an owner's kind-10050 relays are used, and an
unreadable relay list falls back to the service's relays. The real container with fakes swapped in."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from adapters.relay.memory_relay import MemoryRelay
from application.jobs import RecordsFailed
from domain.billing.reminders import DueReminder, ReminderKind
from domain.nostr.event import Event, Filter
from domain.nostr.ports import RelayUnavailable
from domain.nostr.signing import generate_secret_key, is_public_key, public_key_of, sign_event
from domain.shared.clock import FixedClock
from tests.fakes.names_for_life import FakeRenewalReminderRepository
from tests.fakes.unit_of_work import MemoryStore
from tests.support.app import container_for_tests, settings_for_tests

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


@dataclass
class RecordingPublisher:
    """The EventPublisher port in memory: what was sent where; `accepts` says whether relays take it."""

    accepts: bool = True
    sent: list[tuple[tuple[str, ...], Event]] = field(default_factory=list)

    async def publish(self, relays: Sequence[str], event: Event) -> int:
        self.sent.append((tuple(relays), event))
        return len(relays) if self.accepts else 0


class UnreadableRelay(MemoryRelay):
    async def latest_replaceable(self, authors: Sequence[str], kind: int) -> dict[str, Event]:
        raise RelayUnavailable("no relay answered")


@dataclass
class World:
    store: MemoryStore
    relay: MemoryRelay
    publisher: RecordingPublisher
    owner_secret: str
    reminder: DueReminder

    async def wraps(self) -> list[Event]:
        return await self.relay.query([Filter(kinds=(1059,), tags={"p": (self.reminder.pubkey,)})])


def _world(tmp_path, relay: MemoryRelay | None = None, pubkey: str | None = None):
    store, relay, publisher = MemoryStore(), relay or MemoryRelay(), RecordingPublisher()
    container = container_for_tests(
        settings_for_tests(tmp_path),
        clock=FixedClock(NOW),
        relay=relay,
        store=store,
        dm_publisher=publisher,
    )
    owner = generate_secret_key()
    reminder = DueReminder(
        subscription_id=uuid4(),
        user_id=uuid4(),
        pubkey=pubkey or public_key_of(owner),
        kind=ReminderKind.ENDS_IN_7_DAYS,
        period_end=NOW + timedelta(days=6),
    )
    FakeRenewalReminderRepository.make_due(store, reminder)
    return container, World(store, relay, publisher, owner, reminder)


async def test_a_due_reminder_is_sent_once_to_the_service_relays(tmp_path):
    container, world = _world(tmp_path)

    assert await container.reminders.send_renewal_reminders()() == 1
    assert await container.reminders.send_renewal_reminders()() == 0

    assert len(await world.wraps()) == 1
    assert FakeRenewalReminderRepository.status(world.store, world.reminder) == "sent"


async def test_an_account_whose_pubkey_is_off_the_curve_is_sent_nothing_and_fails_no_run(tmp_path):
    off_curve = next(f"{x:064x}" for x in range(1, 100) if not is_public_key(f"{x:064x}"))
    container, world = _world(tmp_path, pubkey=off_curve)

    assert await container.reminders.send_renewal_reminders()() == 0
    assert await container.reminders.send_renewal_reminders()() == 0

    assert world.publisher.sent == [] and await world.wraps() == []
    assert FakeRenewalReminderRepository.status(world.store, world.reminder) != "sent"


async def test_a_send_no_relay_accepts_is_marked_failed_and_sent_by_the_next_run(tmp_path):
    container, world = _world(tmp_path)
    listed = sign_event(
        world.owner_secret, kind=10050, tags=[["relay", "wss://dm.example"]], content="", created_at=0
    )
    await world.relay.publish([listed])
    world.publisher.accepts = False

    with pytest.raises(RecordsFailed):
        await container.reminders.send_renewal_reminders()()
    assert FakeRenewalReminderRepository.status(world.store, world.reminder) == "failed"

    world.publisher.accepts = True
    assert await container.reminders.send_renewal_reminders()() == 1
    assert await container.reminders.send_renewal_reminders()() == 0
    assert [relays for relays, _ in world.publisher.sent] == [("wss://dm.example",)] * 2
    assert await world.wraps() == []  # the owner's relays, not ours


async def test_an_unreadable_relay_list_falls_back_to_the_service_relays(tmp_path):
    container, world = _world(tmp_path, UnreadableRelay())

    assert await container.reminders.send_renewal_reminders()() == 1

    assert world.publisher.sent == []
    assert len(await world.wraps()) == 1
