"""Persistence ports of Lightning addresses and zaps, and the seal that keeps NWC secrets at rest."""

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.nostr.event import Event
from domain.zaps.records import PendingZap, WalletConnectionRecord


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
