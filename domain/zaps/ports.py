"""The ports of Lightning addresses and zaps: the owner's own wallet over Nostr Wallet Connect, and
the records of connected wallets and pending zaps.

The service holds a credential to ask the wallet for invoices and to look them up; never funds.
Every wallet call is bounded by a deadline: a wallet that does not answer in time raises
WalletUnavailable, never hangs.
"""

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from msgspec import Struct

from domain.nostr.event import Event
from domain.shared.errors import DependencyUnavailable, DomainError
from domain.zaps.nwc_uri import NwcUri
from domain.zaps.records import PendingZap, WalletConnectionRecord

REQUIRED_METHODS = frozenset({"make_invoice", "lookup_invoice"})


class WalletUnavailable(DependencyUnavailable):
    """The wallet (or its relay) did not answer within the deadline."""


class WalletRefused(DomainError):
    """The wallet answered with a NIP-47 error (unauthorized, restricted, quota, ...)."""

    title = "Wallet refused the request"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class WalletInfo(Struct, frozen=True, kw_only=True):
    """What `get_info` tells about a wallet."""

    alias: str
    methods: tuple[str, ...]
    notifications: tuple[str, ...] = ()


class WalletInvoice(Struct, frozen=True, kw_only=True):
    """An invoice as the wallet sees it: `settled_at` and `preimage` once paid."""

    bolt11: str
    payment_hash: str
    amount_msat: int
    settled_at: int | None = None
    preimage: str | None = None
    expires_at: int | None = None

    @property
    def paid(self) -> bool:
        return self.settled_at is not None


class WalletConnection(Protocol):
    """NIP-47 requests to one wallet named by its connection string."""

    async def get_info(self, uri: NwcUri) -> WalletInfo:
        """The wallet's alias and the methods this connection may use."""
        ...

    async def make_invoice(
        self, uri: NwcUri, *, amount_msat: int, description_hash: str, expiry: int
    ) -> WalletInvoice:
        """A new invoice for `amount_msat` whose bolt11 commits to `description_hash` (hex SHA-256)."""
        ...

    async def lookup_invoice(self, uri: NwcUri, payment_hash: str) -> WalletInvoice:
        """The invoice with this payment hash as the wallet sees it now."""
        ...

    def notifications(self, uri: NwcUri) -> AsyncIterator[WalletInvoice]:
        """Payments the wallet reports (`payment_received`) from now on, until the iterator is closed."""
        ...


class WalletConnectionRepository(Protocol):
    """One connected wallet per user."""

    async def put(self, record: WalletConnectionRecord) -> None:
        """Stores the user's wallet, replacing the one connected before."""
        ...

    async def get(self, user_id: UUID) -> WalletConnectionRecord | None: ...

    async def remove(self, user_id: UUID) -> bool:
        """Forgets the user's wallet; False when none was connected."""
        ...


class PendingZapRepository(Protocol):
    """Zap invoices waiting to be paid. A claim removes the row: of concurrent claimers one wins."""

    async def add(self, zap: PendingZap) -> None: ...

    async def claim(self, payment_hash: str) -> PendingZap | None:
        """Removes and returns the zap; None when it is unknown or already claimed. Rolled back with
        its unit of work, so a receipt that could not be published is claimed again later."""
        ...

    async def unexpired(self, now: datetime, limit: int) -> list[PendingZap]:
        """Zaps whose invoices have not expired, oldest expiry first."""
        ...

    async def remove_expired(self, now: datetime) -> int:
        """Deletes zaps whose invoices expired; returns how many."""
        ...


class SecretSeal(Protocol):
    """Encrypts secrets kept at rest. Several keys may open; the first one seals (keys rotate)."""

    def seal(self, secret: str) -> str: ...

    def open(self, sealed: str) -> str:
        """The secret; ValueError when no key opens it."""
        ...


class ZapCounters(Protocol):
    """Counts Lightning address invoices by outcome: `asked`, `made`, `failed`, `paid`."""

    def count(self, outcome: str) -> None: ...


class ReceiptPublisher(Protocol):
    """Sends an event to relays a zap request names (not only ours), each within a deadline."""

    async def publish(self, relays: Sequence[str], event: Event) -> int:
        """How many of the relays accepted the event."""
        ...
