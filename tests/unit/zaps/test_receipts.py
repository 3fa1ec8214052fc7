"""Z4: one receipt (kind 9735) per paid zap invoice, whatever the number of notifications or processes."""

import asyncio
from collections.abc import Sequence
from datetime import timedelta

import msgspec
import pytest

from adapters.nwc.memory_wallet import MemoryWallet
from adapters.relay.memory_relay import MemoryRelay
from application.zaps.receipts import PublishZapReceipt
from domain.nostr.event import Event, Filter
from domain.nostr.ports import RelayUnavailable
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event, verify_event
from domain.zaps.nwc_uri import NwcUri
from domain.zaps.pay_request import description_hash
from domain.zaps.records import PendingZap
from tests import builders
from tests.builders import NOW
from tests.fakes.unit_of_work import FakeUnitOfWork, MemoryStore

SERVICE_KEY = generate_secret_key()
SENDER = generate_secret_key()
URI = NwcUri(wallet_pubkey="ab" * 32, relays=("ws://x",), secret=generate_secret_key())


class RecordingPublisher:
    """The ReceiptPublisher port, keeping what it was asked to send."""

    def __init__(self) -> None:
        self.sent: list[tuple[tuple[str, ...], Event]] = []

    async def publish(self, relays: Sequence[str], event: Event) -> int:
        self.sent.append((tuple(relays), event))
        return len(relays)


class Counters:
    def __init__(self) -> None:
        self.counted: list[str] = []

    def count(self, outcome: str) -> None:
        self.counted.append(outcome)


async def pending_zap(store: MemoryStore, wallet: MemoryWallet, recipient_key: str) -> PendingZap:
    user = builders.user(pubkey=public_key_of(recipient_key))
    request = sign_event(
        SENDER,
        kind=9734,
        tags=[["relays", "wss://a.example", "wss://b.example"], ["p", user.pubkey], ["e", "cd" * 32]],
        content="",
        created_at=1_700_000_000,
    )
    raw = msgspec.json.encode(request).decode()
    made = await wallet.make_invoice(
        URI, amount_msat=21_000, description_hash=description_hash(raw), expiry=600
    )
    zap = PendingZap(
        payment_hash=made.payment_hash,
        user_id=user.id,
        bolt11=made.bolt11,
        zap_request=raw,
        expires_at=NOW + timedelta(minutes=10),
    )
    async with FakeUnitOfWork(store) as uow:
        await uow.users.add(user)
        await uow.pending_zaps.add(zap)
        await uow.commit()
    return zap


async def test_z4_a_payment_notified_many_times_to_many_processes_gives_one_receipt() -> None:
    store, wallet, relay, publisher = MemoryStore(), MemoryWallet(), MemoryRelay(), RecordingPublisher()
    zap = await pending_zap(store, wallet, generate_secret_key())
    paid = wallet.pay(zap.payment_hash)
    processes = [
        PublishZapReceipt(lambda: FakeUnitOfWork(store), relay, publisher, Counters(), SERVICE_KEY)
        for _ in range(3)
    ]
    published = await asyncio.gather(*(process(paid) for process in processes for _ in range(4)))
    assert sum(published) == 1
    [(relays, receipt)] = publisher.sent
    assert relays == ("wss://a.example", "wss://b.example")
    assert await relay.query([Filter(kinds=(9735,))]) == [receipt]


async def test_z4_the_receipt_carries_what_nip57_asks() -> None:
    store, wallet, publisher = MemoryStore(), MemoryWallet(), RecordingPublisher()
    recipient_key = generate_secret_key()
    zap = await pending_zap(store, wallet, recipient_key)
    paid = wallet.pay(zap.payment_hash)
    counters = Counters()
    await PublishZapReceipt(lambda: FakeUnitOfWork(store), MemoryRelay(), publisher, counters, SERVICE_KEY)(
        paid
    )
    [(_, receipt)] = publisher.sent
    assert verify_event(receipt) and receipt.kind == 9735 and receipt.pubkey == public_key_of(SERVICE_KEY)
    assert receipt.created_at == paid.settled_at
    tags = {tag[0]: tag[1] for tag in receipt.tags}
    assert tags == {
        "p": public_key_of(recipient_key),
        "e": "cd" * 32,
        "P": public_key_of(SENDER),
        "bolt11": zap.bolt11,
        "description": zap.zap_request,
        "preimage": paid.preimage,
    }
    assert counters.counted == ["paid"]


async def test_z4_a_receipt_that_reached_no_relay_is_tried_again_and_then_sent_once() -> None:
    store, wallet = MemoryStore(), MemoryWallet()
    zap = await pending_zap(store, wallet, generate_secret_key())
    paid = wallet.pay(zap.payment_hash)

    class Down(RecordingPublisher):
        async def publish(self, relays: Sequence[str], event: Event) -> int:
            return 0

    class NoRelay(MemoryRelay):
        async def publish(self, events: Sequence[Event]) -> int:
            return 0

    failing = PublishZapReceipt(lambda: FakeUnitOfWork(store), NoRelay(), Down(), Counters(), SERVICE_KEY)
    with pytest.raises(RelayUnavailable, match="no relay"):
        await failing(paid)
    working = RecordingPublisher()
    again = PublishZapReceipt(lambda: FakeUnitOfWork(store), MemoryRelay(), working, Counters(), SERVICE_KEY)
    assert await again(paid) is True
    assert await again(paid) is False
    assert len(working.sent) == 1


async def test_z4_an_unpaid_invoice_gives_no_receipt() -> None:
    store, wallet, publisher = MemoryStore(), MemoryWallet(), RecordingPublisher()
    zap = await pending_zap(store, wallet, generate_secret_key())
    unpaid = await wallet.lookup_invoice(URI, zap.payment_hash)
    publish = PublishZapReceipt(
        lambda: FakeUnitOfWork(store), MemoryRelay(), publisher, Counters(), SERVICE_KEY
    )
    assert await publish(unpaid) is False
    assert publisher.sent == []
