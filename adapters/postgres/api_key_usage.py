"""API key usage counters in PostgreSQL."""

from datetime import date, datetime
from uuid import UUID

from domain.api_keys.keys import ApiKeyUsage

from .transaction import PostgresTransaction

INCREMENT = """
INSERT INTO api_key_usage (api_key_id, day, endpoint, status_class, count)
VALUES (%(api_key_id)s, %(day)s, %(endpoint)s, %(status_class)s, %(amount)s)
ON CONFLICT (api_key_id, day, endpoint, status_class)
DO UPDATE SET count = api_key_usage.count + EXCLUDED.count
RETURNING count
"""
SELECT_FOR_KEY = """
SELECT api_key_id, day, endpoint, status_class, count FROM api_key_usage
WHERE api_key_id = %(api_key_id)s AND day BETWEEN %(first_day)s AND %(last_day)s
ORDER BY day, endpoint, status_class
"""

INSERT_FLUSH = """
INSERT INTO api_key_usage_flushes (id, flushed_at) VALUES (%(id)s, %(now)s)
ON CONFLICT DO NOTHING
"""
ADD_COUNTS = """
INSERT INTO api_key_usage (api_key_id, day, endpoint, status_class, count)
SELECT batch.api_key_id, batch.day, batch.endpoint, batch.status_class, batch.count
FROM unnest(%(api_key_ids)s::uuid[], %(days)s::date[], %(endpoints)s::text[], %(status_classes)s::text[],
    %(counts)s::bigint[]) AS batch (api_key_id, day, endpoint, status_class, count)
WHERE EXISTS (SELECT 1 FROM api_keys WHERE api_keys.id = batch.api_key_id)
ORDER BY batch.api_key_id, batch.day, batch.endpoint, batch.status_class
ON CONFLICT (api_key_id, day, endpoint, status_class)
DO UPDATE SET count = api_key_usage.count + EXCLUDED.count
"""
MARK_USED = """
UPDATE api_keys SET last_used_at = GREATEST(COALESCE(last_used_at, %(now)s), %(now)s)
WHERE id = ANY(%(api_key_ids)s::uuid[])
"""


class PostgresApiKeyUsageRepository:
    def __init__(self, tx: PostgresTransaction) -> None:
        self._tx = tx

    async def increment(
        self, api_key_id: UUID, day: date, endpoint: str, status_class: str, amount: int = 1
    ) -> int:
        params = {
            "api_key_id": api_key_id,
            "day": day,
            "endpoint": endpoint,
            "status_class": status_class,
            "amount": amount,
        }
        async with self._tx.guarded():
            row = await self._tx.fetch_one(INCREMENT, params)
        assert row is not None
        return int(row["count"])

    async def list_for_key(self, api_key_id: UUID, first_day: date, last_day: date) -> list[ApiKeyUsage]:
        params = {"api_key_id": api_key_id, "first_day": first_day, "last_day": last_day}
        return [
            ApiKeyUsage(
                api_key_id=row["api_key_id"],
                day=row["day"],
                endpoint=row["endpoint"],
                status_class=row["status_class"],
                count=row["count"],
            )
            for row in await self._tx.fetch_all(SELECT_FOR_KEY, params)
        ]

    async def add_flush(self, flush_id: UUID, usages: list[ApiKeyUsage], now: datetime) -> bool:
        if not await self._tx.insert(INSERT_FLUSH, {"id": flush_id, "now": now}):
            return False
        if usages:
            params = {
                "api_key_ids": [usage.api_key_id for usage in usages],
                "days": [usage.day for usage in usages],
                "endpoints": [usage.endpoint for usage in usages],
                "status_classes": [usage.status_class for usage in usages],
                "counts": [usage.count for usage in usages],
            }
            await self._tx.execute(ADD_COUNTS, params)
            await self._tx.execute(MARK_USED, {"api_key_ids": sorted(set(params["api_key_ids"])), "now": now})
        return True
