"""Memory twins of the connected-wallet and pending-zap repositories (PostgreSQL semantics)."""

from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from domain.zaps.records import PendingZap, WalletConnectionRecord

if TYPE_CHECKING:
    from tests.fakes.unit_of_work import FakeUnitOfWork, _Table


class FakeWalletConnectionRepository:
    def __init__(self, uow: "FakeUnitOfWork") -> None:
        self._rows: _Table[WalletConnectionRecord] = uow.table(
            "wallet_connections", references={"user_id": "users"}
        )

    async def put(self, record: WalletConnectionRecord) -> None:
        if self._rows.get(record.user_id) is None:
            self._rows.insert(record.user_id, record)
        else:
            self._rows.replace(record.user_id, record)

    async def get(self, user_id: UUID) -> WalletConnectionRecord | None:
        return self._rows.get(user_id)

    async def remove(self, user_id: UUID) -> bool:
        return self._rows.delete(user_id)


class FakePendingZapRepository:
    def __init__(self, uow: "FakeUnitOfWork") -> None:
        self._uow = uow
        self._rows: _Table[PendingZap] = uow.table("zap_invoices", references={"user_id": "users"})

    async def add(self, zap: PendingZap) -> None:
        self._rows.insert(zap.payment_hash, zap)

    async def claim(self, payment_hash: str) -> PendingZap | None:
        # Like DELETE ... RETURNING: the row stays locked until the unit of work ends.
        await self._uow.lock(("zap_invoices", payment_hash))
        found = self._rows.get(payment_hash)
        if found is not None:
            self._rows.delete(payment_hash)
        return found

    async def unexpired(self, now: datetime, limit: int) -> list[PendingZap]:
        return sorted((z for z in self._rows.rows() if z.expires_at > now), key=lambda z: z.expires_at)[
            :limit
        ]

    async def remove_expired(self, now: datetime) -> int:
        expired = [z.payment_hash for z in self._rows.rows() if z.expires_at <= now]
        for payment_hash in expired:
            self._rows.delete(payment_hash)
        return len(expired)
