"""LNURL-auth wallets linked to accounts, in PostgreSQL."""

from datetime import datetime
from uuid import UUID

from domain.auth.lnurl import LnurlWallet
from domain.shared.errors import Conflict

from .transaction import PostgresTransaction, Row

INSERT = """
INSERT INTO lnurl_wallets (id, user_id, linking_key, linked_at, last_used_at)
VALUES (%(id)s, %(user_id)s, %(linking_key)s, %(linked_at)s, %(last_used_at)s)
ON CONFLICT DO NOTHING
"""
SELECT_BY_LINKING_KEY = """
SELECT id, user_id, linking_key, linked_at, last_used_at FROM lnurl_wallets
WHERE linking_key = %(linking_key)s
"""
SELECT_FOR_USER = """
SELECT id, user_id, linking_key, linked_at, last_used_at FROM lnurl_wallets
WHERE user_id = %(user_id)s
ORDER BY linked_at, id
"""
DELETE = """
DELETE FROM lnurl_wallets WHERE id = %(id)s AND user_id = %(user_id)s
RETURNING id, user_id, linking_key, linked_at, last_used_at
"""
MARK_USED = "UPDATE lnurl_wallets SET last_used_at = %(now)s WHERE id = %(id)s"
INSERT_SESSION = """
INSERT INTO lnurl_wallet_sessions (family_id, wallet_id) VALUES (%(family_id)s, %(wallet_id)s)
ON CONFLICT DO NOTHING
"""
SELECT_BY_SESSION = """
SELECT w.id, w.user_id, w.linking_key, w.linked_at, w.last_used_at
FROM lnurl_wallet_sessions s JOIN lnurl_wallets w ON w.id = s.wallet_id
WHERE s.family_id = %(family_id)s
"""


def _wallet(row: Row) -> LnurlWallet:
    return LnurlWallet(
        id=row["id"],
        user_id=row["user_id"],
        linking_key=row["linking_key"],
        linked_at=row["linked_at"],
        last_used_at=row["last_used_at"],
    )


class PostgresLnurlWalletRepository:
    def __init__(self, tx: PostgresTransaction) -> None:
        self._tx = tx

    async def add(self, wallet: LnurlWallet) -> None:
        params = {
            "id": wallet.id,
            "user_id": wallet.user_id,
            "linking_key": wallet.linking_key,
            "linked_at": wallet.linked_at,
            "last_used_at": wallet.last_used_at,
        }
        if not await self._tx.insert(INSERT, params):
            raise Conflict("this wallet is already linked")

    async def get_by_linking_key(self, linking_key: str) -> LnurlWallet | None:
        row = await self._tx.fetch_one(SELECT_BY_LINKING_KEY, {"linking_key": linking_key})
        return _wallet(row) if row else None

    async def list_for_user(self, user_id: UUID) -> list[LnurlWallet]:
        return [_wallet(row) for row in await self._tx.fetch_all(SELECT_FOR_USER, {"user_id": user_id})]

    async def remove(self, user_id: UUID, wallet_id: UUID) -> LnurlWallet | None:
        row = await self._tx.fetch_one(DELETE, {"id": wallet_id, "user_id": user_id})
        return _wallet(row) if row else None

    async def mark_used(self, wallet_id: UUID, now: datetime) -> None:
        await self._tx.execute(MARK_USED, {"id": wallet_id, "now": now})

    async def add_session(self, wallet_id: UUID, family_id: UUID) -> None:
        await self._tx.insert(INSERT_SESSION, {"family_id": family_id, "wallet_id": wallet_id})

    async def get_by_session(self, family_id: UUID) -> LnurlWallet | None:
        row = await self._tx.fetch_one(SELECT_BY_SESSION, {"family_id": family_id})
        return _wallet(row) if row else None
