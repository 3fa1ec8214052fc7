"""Linked wallets' key recoveries in PostgreSQL."""

from datetime import datetime
from uuid import UUID

from domain.auth.key_rotation import KeyRecovery, KeyRecoveryStatus
from domain.shared.errors import Conflict, NotFound

from .transaction import PostgresTransaction, Row

INSERT = """
INSERT INTO key_recoveries (id, user_id, wallet_id, new_pubkey, requested_at, effective_at, status, ended_at)
VALUES (%(id)s, %(user_id)s, %(wallet_id)s, %(new_pubkey)s, %(requested_at)s, %(effective_at)s,
    %(status)s, %(ended_at)s)
ON CONFLICT DO NOTHING
"""
SELECT_PENDING_FOR_USER = """
SELECT id, user_id, wallet_id, new_pubkey, requested_at, effective_at, status, ended_at, notified_at
FROM key_recoveries WHERE user_id = %(user_id)s AND status = 'pending'
"""
SELECT_DUE = """
SELECT id, user_id, wallet_id, new_pubkey, requested_at, effective_at, status, ended_at, notified_at
FROM key_recoveries WHERE status = 'pending' AND effective_at <= %(now)s
ORDER BY effective_at, id
LIMIT %(limit)s
"""
SELECT_UNNOTIFIED = """
SELECT id, user_id, wallet_id, new_pubkey, requested_at, effective_at, status, ended_at, notified_at
FROM key_recoveries WHERE status = 'pending' AND notified_at IS NULL
ORDER BY requested_at, id
LIMIT %(limit)s
"""
CLAIM_NOTIFICATION = """
UPDATE key_recoveries SET notified_at = %(now)s
WHERE id = %(id)s AND status = 'pending' AND notified_at IS NULL
"""
RELEASE_NOTIFICATION = "UPDATE key_recoveries SET notified_at = NULL WHERE id = %(id)s"
UPDATE = """
UPDATE key_recoveries SET status = %(status)s, ended_at = %(ended_at)s WHERE id = %(id)s
"""


def _params(recovery: KeyRecovery) -> dict[str, object]:
    return {
        "id": recovery.id,
        "user_id": recovery.user_id,
        "wallet_id": recovery.wallet_id,
        "new_pubkey": recovery.new_pubkey,
        "requested_at": recovery.requested_at,
        "effective_at": recovery.effective_at,
        "status": recovery.status.value,
        "ended_at": recovery.ended_at,
    }


def _recovery(row: Row) -> KeyRecovery:
    return KeyRecovery(
        id=row["id"],
        user_id=row["user_id"],
        wallet_id=row["wallet_id"],
        new_pubkey=row["new_pubkey"],
        requested_at=row["requested_at"],
        effective_at=row["effective_at"],
        status=KeyRecoveryStatus(row["status"]),
        ended_at=row["ended_at"],
        notified_at=row["notified_at"],
    )


class PostgresKeyRecoveryRepository:
    def __init__(self, tx: PostgresTransaction) -> None:
        self._tx = tx

    async def add(self, recovery: KeyRecovery) -> None:
        if not await self._tx.insert(INSERT, _params(recovery)):
            raise Conflict("a key recovery is pending for this account already")

    async def get_pending_for_user(self, user_id: UUID) -> KeyRecovery | None:
        row = await self._tx.fetch_one(SELECT_PENDING_FOR_USER, {"user_id": user_id})
        return _recovery(row) if row else None

    async def list_due(self, now: datetime, limit: int) -> list[KeyRecovery]:
        return [_recovery(row) for row in await self._tx.fetch_all(SELECT_DUE, {"now": now, "limit": limit})]

    async def update(self, recovery: KeyRecovery) -> None:
        async with self._tx.guarded():
            if await self._tx.execute(UPDATE, _params(recovery)) == 0:
                raise NotFound("key recovery not found")

    async def list_unnotified(self, limit: int) -> list[KeyRecovery]:
        return [_recovery(row) for row in await self._tx.fetch_all(SELECT_UNNOTIFIED, {"limit": limit})]

    async def claim_notification(self, recovery_id: UUID, now: datetime) -> bool:
        return await self._tx.execute(CLAIM_NOTIFICATION, {"id": recovery_id, "now": now}) == 1

    async def release_notification(self, recovery_id: UUID) -> None:
        await self._tx.execute(RELEASE_NOTIFICATION, {"id": recovery_id})
