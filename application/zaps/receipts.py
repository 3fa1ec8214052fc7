"""Zap receipts (NIP-57, kind 9735): exactly one per paid zap invoice (Z4).

The pending zap is claimed (deleted) in the same transaction that publishes its receipt: of several
processes that see the payment, one claims it; a receipt that reached no relay rolls the claim back,
so it is tried again. A receipt sent twice after a crash between publishing and committing is the
same event (same id), which relays keep once.
"""

import contextlib
from collections.abc import Callable, Mapping
from uuid import UUID

import msgspec

from domain.nostr.ports import RelayPort, RelayUnavailable
from domain.shared.clock import Clock
from domain.shared.errors import DomainError
from domain.shared.unit_of_work import UowFactory
from domain.zaps.nwc_uri import NwcUri, parse_nwc_uri
from domain.zaps.ports import ReceiptPublisher, SecretSeal, WalletConnection, WalletInvoice, ZapCounters
from domain.zaps.receipt import zap_receipt

WATCH_BATCH = 100


class PublishZapReceipt:
    """Publishes the receipt of a paid zap invoice once; True when this call published it."""

    def __init__(
        self,
        uow_factory: UowFactory,
        relay: RelayPort,
        publisher: ReceiptPublisher,
        counters: ZapCounters,
        service_secret_key: str,
    ) -> None:
        self._uow_factory = uow_factory
        self._relay = relay
        self._publisher = publisher
        self._counters = counters
        self._service_secret_key = service_secret_key

    async def __call__(self, paid: WalletInvoice) -> bool:
        if paid.settled_at is None:
            return False
        async with self._uow_factory() as uow:
            pending = await uow.pending_zaps.claim(paid.payment_hash)
            if pending is None:
                return False
            receipt = zap_receipt(
                self._service_secret_key,
                zap_request=pending.zap_request,
                bolt11=pending.bolt11,
                paid_at=paid.settled_at,
                preimage=paid.preimage,
            )
            accepted = await self._publisher.publish(_relays_of(pending.zap_request), receipt)
            with contextlib.suppress(RelayUnavailable):
                accepted += await self._relay.publish([receipt])
            if accepted == 0:
                raise RelayUnavailable("no relay accepted the zap receipt")
            await uow.commit()
        self._counters.count("paid")
        return True


class _Tags(msgspec.Struct):
    tags: list[list[str]]


def _relays_of(zap_request: str) -> tuple[str, ...]:
    for tag in msgspec.json.decode(zap_request, type=_Tags).tags:
        if tag and tag[0] == "relays":
            return tuple(tag[1:])
    return ()


class WatchZapInvoices:
    """One round of watching: forgets expired zap invoices, looks the others up in their owners'
    wallets, and publishes the receipts of those paid. Returns how many receipts it published.
    `listen`, when given, is told the wallets that have zap invoices waiting (to hear their payment
    notifications between rounds)."""

    def __init__(
        self,
        uow_factory: UowFactory,
        wallet: WalletConnection,
        seal: SecretSeal,
        publish_receipt: PublishZapReceipt,
        clock: Clock,
        listen: Callable[[Mapping[UUID, NwcUri]], None] | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._wallet = wallet
        self._seal = seal
        self._publish_receipt = publish_receipt
        self._clock = clock
        self._listen = listen

    async def __call__(self) -> int:
        now = self._clock.now()
        async with self._uow_factory() as uow:
            await uow.pending_zaps.remove_expired(now)
            pending = await uow.pending_zaps.unexpired(now, WATCH_BATCH)
            await uow.commit()
        published = 0
        wallets: dict[UUID, NwcUri] = {}
        for zap in pending:
            try:
                if zap.user_id not in wallets:
                    async with self._uow_factory() as uow:
                        record = await uow.wallet_connections.get(zap.user_id)
                    if record is None:
                        continue
                    wallets[zap.user_id] = parse_nwc_uri(self._seal.open(record.sealed_uri))
                invoice = await self._wallet.lookup_invoice(wallets[zap.user_id], zap.payment_hash)
                published += invoice.paid and await self._publish_receipt(invoice)
            except (DomainError, ValueError):
                continue
        if self._listen is not None:
            self._listen(wallets)
        return published
