"""NIP-05 names billing suspended, in PostgreSQL."""

from datetime import datetime
from uuid import UUID

from .transaction import PostgresTransaction

INSERT = """
INSERT INTO nip05_billing_holds (nip05_id, user_id, held_at) VALUES (%(nip05_id)s, %(user_id)s, %(now)s)
ON CONFLICT (nip05_id) DO NOTHING
"""
RELEASE_FOR_USER = """
DELETE FROM nip05_billing_holds WHERE user_id = %(user_id)s RETURNING nip05_id
"""


class PostgresNameHoldRepository:
    def __init__(self, tx: PostgresTransaction) -> None:
        self._tx = tx

    async def hold(self, nip05_id: UUID, user_id: UUID, now: datetime) -> bool:
        params = {"nip05_id": nip05_id, "user_id": user_id, "now": now}
        return await self._tx.insert(INSERT, params)

    async def release_for_user(self, user_id: UUID) -> list[UUID]:
        rows = await self._tx.fetch_all(RELEASE_FOR_USER, {"user_id": user_id})
        return sorted(row["nip05_id"] for row in rows)
