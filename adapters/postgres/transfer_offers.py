"""Transfer offers of NIP-05 names, in PostgreSQL."""

from datetime import datetime
from uuid import UUID

from domain.names.transfers import TransferOffer
from domain.shared.errors import Conflict
from domain.shared.paging import PageCursor

from .transaction import PostgresTransaction, Row

INSERT = """
INSERT INTO nip05_transfer_offers (id, nip05_id, from_user_id, to_pubkey, created_at, expires_at)
VALUES (%(id)s, %(nip05_id)s, %(from_user_id)s, %(to_pubkey)s, %(created_at)s, %(expires_at)s)
ON CONFLICT DO NOTHING
"""
SELECT = """
SELECT o.id, o.nip05_id, n.name, n.domain, o.from_user_id, o.to_pubkey, o.created_at, o.expires_at
FROM nip05_transfer_offers o JOIN nip05_names n ON n.id = o.nip05_id
"""
SELECT_BY_ID = SELECT + "WHERE o.id = %(id)s"
SELECT_OPEN = (
    SELECT
    + """WHERE (o.from_user_id = %(user_id)s OR o.to_pubkey = %(pubkey)s) AND o.expires_at > %(now)s
    AND (%(after_at)s::timestamptz IS NULL OR (o.created_at, o.id) > (%(after_at)s, %(after_id)s::uuid))
ORDER BY o.created_at, o.id
LIMIT %(limit)s"""
)
CLAIM = """
WITH claimed AS (
    DELETE FROM nip05_transfer_offers WHERE id = %(id)s AND to_pubkey = %(pubkey)s
    RETURNING id, nip05_id, from_user_id, to_pubkey, created_at, expires_at
)
SELECT c.id, c.nip05_id, n.name, n.domain, c.from_user_id, c.to_pubkey, c.created_at, c.expires_at
FROM claimed c JOIN nip05_names n ON n.id = c.nip05_id
"""
DELETE_FOR_NAME = "DELETE FROM nip05_transfer_offers WHERE nip05_id = %(nip05_id)s"
DELETE_EXPIRED_FOR_NAME = """
DELETE FROM nip05_transfer_offers WHERE nip05_id = %(nip05_id)s AND expires_at <= %(now)s
"""
COUNT_OPEN = """
SELECT count(*) AS n FROM nip05_transfer_offers WHERE nip05_id = %(nip05_id)s AND expires_at > %(now)s
"""
CANCEL = "DELETE FROM nip05_transfer_offers WHERE id = %(id)s AND from_user_id = %(user_id)s"


def _offer(row: Row) -> TransferOffer:
    return TransferOffer(
        id=row["id"],
        nip05_id=row["nip05_id"],
        name=row["name"],
        domain=row["domain"],
        from_user_id=row["from_user_id"],
        to_pubkey=row["to_pubkey"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
    )


class PostgresTransferOfferRepository:
    def __init__(self, tx: PostgresTransaction) -> None:
        self._tx = tx

    async def add(self, offer: TransferOffer) -> None:
        params = {
            "id": offer.id,
            "nip05_id": offer.nip05_id,
            "from_user_id": offer.from_user_id,
            "to_pubkey": offer.to_pubkey,
            "created_at": offer.created_at,
            "expires_at": offer.expires_at,
        }
        if not await self._tx.insert(INSERT, params):
            raise Conflict("this offer already exists")

    async def get(self, offer_id: UUID) -> TransferOffer | None:
        row = await self._tx.fetch_one(SELECT_BY_ID, {"id": offer_id})
        return _offer(row) if row else None

    async def claim(self, offer_id: UUID, to_pubkey: str) -> TransferOffer | None:
        row = await self._tx.fetch_one(CLAIM, {"id": offer_id, "pubkey": to_pubkey})
        return _offer(row) if row else None

    async def delete_for_name(self, nip05_id: UUID) -> int:
        return await self._tx.execute(DELETE_FOR_NAME, {"nip05_id": nip05_id})

    async def delete_expired_for_name(self, nip05_id: UUID, now: datetime) -> int:
        return await self._tx.execute(DELETE_EXPIRED_FOR_NAME, {"nip05_id": nip05_id, "now": now})

    async def count_open(self, nip05_id: UUID, now: datetime) -> int:
        row = await self._tx.fetch_one(COUNT_OPEN, {"nip05_id": nip05_id, "now": now})
        return int(row["n"]) if row else 0

    async def cancel(self, offer_id: UUID, from_user_id: UUID) -> bool:
        return await self._tx.execute(CANCEL, {"id": offer_id, "user_id": from_user_id}) > 0

    async def list_open(
        self, user_id: UUID, pubkey: str, now: datetime, after: PageCursor | None, limit: int
    ) -> list[TransferOffer]:
        params = {
            "user_id": user_id,
            "pubkey": pubkey,
            "now": now,
            "after_at": after.at if after else None,
            "after_id": after.id if after else None,
            "limit": limit,
        }
        return [_offer(row) for row in await self._tx.fetch_all(SELECT_OPEN, params)]
