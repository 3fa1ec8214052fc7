"""What is kept about a connected wallet and about a zap invoice waiting to be paid."""

from datetime import datetime
from uuid import UUID

from msgspec import Struct


class WalletConnectionRecord(Struct, frozen=True, kw_only=True):
    """A user's connected wallet. `sealed_uri` is the connection string sealed with WALLET_SECRET_KEYS."""

    user_id: UUID
    wallet_pubkey: str
    relay: str
    alias: str
    methods: tuple[str, ...]
    sealed_uri: str
    connected_at: datetime

    def __repr__(self) -> str:
        return f"WalletConnectionRecord(user_id={self.user_id!r}, wallet_pubkey={self.wallet_pubkey!r})"


class PendingZap(Struct, frozen=True, kw_only=True):
    """A zap invoice not yet paid, kept until it is paid (and receipted) or expires."""

    payment_hash: str
    user_id: UUID
    bolt11: str
    zap_request: str
    expires_at: datetime
