"""The WalletConnection port: the owner's own Lightning wallet, reached over Nostr Wallet Connect.

The service holds a credential to ask the wallet for invoices and to look them up; never funds.
Every call is bounded by a deadline: a wallet that does not answer in time raises WalletUnavailable,
never hangs.
"""

from collections.abc import AsyncIterator
from typing import Protocol

from msgspec import Struct

from domain.errors import DependencyUnavailable, DomainError
from domain.zaps.nwc_uri import NwcUri

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
