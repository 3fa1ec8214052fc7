"""Connected wallets (NIP-47) and pending zap invoices, in PostgreSQL."""

from datetime import datetime
from uuid import UUID

from domain.zaps.records import PendingZap, WalletConnectionRecord

from .transaction import PostgresTransaction, Row

UPSERT_CONNECTION = """
INSERT INTO wallet_connections (user_id, wallet_pubkey, relay, alias, methods, sealed_uri, connected_at)
VALUES (%(user_id)s, %(wallet_pubkey)s, %(relay)s, %(alias)s, %(methods)s, %(sealed_uri)s, %(connected_at)s)
ON CONFLICT (user_id) DO UPDATE SET wallet_pubkey = EXCLUDED.wallet_pubkey, relay = EXCLUDED.relay,
    alias = EXCLUDED.alias, methods = EXCLUDED.methods, sealed_uri = EXCLUDED.sealed_uri,
    connected_at = EXCLUDED.connected_at
"""
SELECT_CONNECTION = """
SELECT user_id, wallet_pubkey, relay, alias, methods, sealed_uri, connected_at FROM wallet_connections
WHERE user_id = %(user_id)s
"""
DELETE_CONNECTION = "DELETE FROM wallet_connections WHERE user_id = %(user_id)s RETURNING user_id"
INSERT_ZAP = """
INSERT INTO zap_invoices (payment_hash, user_id, bolt11, zap_request, expires_at)
VALUES (%(payment_hash)s, %(user_id)s, %(bolt11)s, %(zap_request)s, %(expires_at)s)
"""
CLAIM_ZAP = """
DELETE FROM zap_invoices WHERE payment_hash = %(payment_hash)s
RETURNING payment_hash, user_id, bolt11, zap_request, expires_at
"""
SELECT_UNEXPIRED_ZAPS = """
SELECT payment_hash, user_id, bolt11, zap_request, expires_at FROM zap_invoices
WHERE expires_at > %(now)s ORDER BY expires_at LIMIT %(limit)s
"""
DELETE_EXPIRED_ZAPS = "DELETE FROM zap_invoices WHERE expires_at <= %(now)s RETURNING payment_hash"


def _connection(row: Row) -> WalletConnectionRecord:
    return WalletConnectionRecord(
        user_id=row["user_id"],
        wallet_pubkey=row["wallet_pubkey"],
        relay=row["relay"],
        alias=row["alias"],
        methods=tuple(row["methods"]),
        sealed_uri=row["sealed_uri"],
        connected_at=row["connected_at"],
    )


def _zap(row: Row) -> PendingZap:
    return PendingZap(
        payment_hash=row["payment_hash"],
        user_id=row["user_id"],
        bolt11=row["bolt11"],
        zap_request=row["zap_request"],
        expires_at=row["expires_at"],
    )


class PostgresWalletConnectionRepository:
    def __init__(self, tx: PostgresTransaction) -> None:
        self._tx = tx

    async def put(self, record: WalletConnectionRecord) -> None:
        params = {
            "user_id": record.user_id,
            "wallet_pubkey": record.wallet_pubkey,
            "relay": record.relay,
            "alias": record.alias,
            "methods": list(record.methods),
            "sealed_uri": record.sealed_uri,
            "connected_at": record.connected_at,
        }
        await self._tx.execute(UPSERT_CONNECTION, params)

    async def get(self, user_id: UUID) -> WalletConnectionRecord | None:
        row = await self._tx.fetch_one(SELECT_CONNECTION, {"user_id": user_id})
        return _connection(row) if row else None

    async def remove(self, user_id: UUID) -> bool:
        return await self._tx.fetch_one(DELETE_CONNECTION, {"user_id": user_id}) is not None


class PostgresPendingZapRepository:
    def __init__(self, tx: PostgresTransaction) -> None:
        self._tx = tx

    async def add(self, zap: PendingZap) -> None:
        params = {
            "payment_hash": zap.payment_hash,
            "user_id": zap.user_id,
            "bolt11": zap.bolt11,
            "zap_request": zap.zap_request,
            "expires_at": zap.expires_at,
        }
        await self._tx.execute(INSERT_ZAP, params)

    async def claim(self, payment_hash: str) -> PendingZap | None:
        row = await self._tx.fetch_one(CLAIM_ZAP, {"payment_hash": payment_hash})
        return _zap(row) if row else None

    async def unexpired(self, now: datetime, limit: int) -> list[PendingZap]:
        rows = await self._tx.fetch_all(SELECT_UNEXPIRED_ZAPS, {"now": now, "limit": limit})
        return [_zap(row) for row in rows]

    async def remove_expired(self, now: datetime) -> int:
        return len(await self._tx.fetch_all(DELETE_EXPIRED_ZAPS, {"now": now}))
