"""NIP-05 names held for a pending payment, in PostgreSQL."""

from uuid import UUID

from domain.shared.errors import Conflict

from .transaction import PostgresTransaction

INSERT = """
INSERT INTO nip05_payment_holds (nip05_id, payment_id) VALUES (%(nip05_id)s, %(payment_id)s)
ON CONFLICT DO NOTHING
"""
RELEASE_FOR_PAYMENT = """
DELETE FROM nip05_payment_holds WHERE payment_id = %(payment_id)s RETURNING nip05_id
"""


class PostgresPendingNameRepository:
    def __init__(self, tx: PostgresTransaction) -> None:
        self._tx = tx

    async def hold(self, nip05_id: UUID, payment_id: UUID) -> None:
        if not await self._tx.insert(INSERT, {"nip05_id": nip05_id, "payment_id": payment_id}):
            raise Conflict("the name is already held for a payment")

    async def release_for_payment(self, payment_id: UUID) -> list[UUID]:
        rows = await self._tx.fetch_all(RELEASE_FOR_PAYMENT, {"payment_id": payment_id})
        return sorted(row["nip05_id"] for row in rows)
