"""Custom domains in PostgreSQL."""

from datetime import datetime
from uuid import UUID

from domain.names.custom_domains import CustomDomain, CustomDomainStatus
from domain.shared.errors import Conflict, NotFound

from .transaction import PostgresTransaction, Row

INSERT = """
INSERT INTO domains (id, user_id, domain, verification_token, status, created_at, updated_at, verified_at,
    last_checked_at, record_missing_since)
VALUES (%(id)s, %(user_id)s, %(domain)s, %(verification_token)s, %(status)s, %(created_at)s,
    %(updated_at)s, %(verified_at)s, %(last_checked_at)s, %(record_missing_since)s)
ON CONFLICT DO NOTHING
"""
SELECT_BY_ID = """
SELECT id, user_id, domain, verification_token, status, created_at, updated_at, verified_at, last_checked_at,
    record_missing_since
FROM domains WHERE id = %(id)s
"""
SELECT_VERIFIED = """
SELECT id, user_id, domain, verification_token, status, created_at, updated_at, verified_at, last_checked_at,
    record_missing_since
FROM domains WHERE lower(domain) = lower(%(domain)s) AND status = 'verified'
"""
SELECT_CLAIMS = """
SELECT id, user_id, domain, verification_token, status, created_at, updated_at, verified_at, last_checked_at,
    record_missing_since
FROM domains WHERE lower(domain) = lower(%(domain)s)
ORDER BY created_at, id
FOR UPDATE
"""
SELECT_VERIFIED_NAMES = "SELECT lower(domain) AS domain FROM domains WHERE status = 'verified'"
SELECT_FOR_USER = """
SELECT id, user_id, domain, verification_token, status, created_at, updated_at, verified_at, last_checked_at,
    record_missing_since
FROM domains WHERE user_id = %(user_id)s
ORDER BY created_at, id
"""
SELECT_DUE_FOR_CHECK = """
SELECT id, user_id, domain, verification_token, status, created_at, updated_at, verified_at, last_checked_at,
    record_missing_since
FROM domains WHERE last_checked_at IS NULL OR last_checked_at < %(checked_before)s
ORDER BY last_checked_at NULLS FIRST, id
LIMIT %(limit)s
"""
UPDATE = """
UPDATE domains SET status = %(status)s, updated_at = %(updated_at)s, verified_at = %(verified_at)s,
    last_checked_at = %(last_checked_at)s, record_missing_since = %(record_missing_since)s
WHERE id = %(id)s
"""
DELETE = "DELETE FROM domains WHERE id = %(id)s"


def _params(domain: CustomDomain) -> dict[str, object]:
    return {
        "id": domain.id,
        "user_id": domain.user_id,
        "domain": domain.domain,
        "verification_token": domain.verification_token,
        "status": domain.status.value,
        "created_at": domain.created_at,
        "updated_at": domain.updated_at,
        "verified_at": domain.verified_at,
        "last_checked_at": domain.last_checked_at,
        "record_missing_since": domain.record_missing_since,
    }


def _domain(row: Row) -> CustomDomain:
    return CustomDomain(
        id=row["id"],
        user_id=row["user_id"],
        domain=row["domain"],
        verification_token=row["verification_token"],
        status=CustomDomainStatus(row["status"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        verified_at=row["verified_at"],
        last_checked_at=row["last_checked_at"],
        record_missing_since=row["record_missing_since"],
    )


class PostgresCustomDomainRepository:
    def __init__(self, tx: PostgresTransaction) -> None:
        self._tx = tx

    async def add(self, domain: CustomDomain) -> None:
        if not await self._tx.insert(INSERT, _params(domain)):
            raise Conflict(f"{domain.domain} is already claimed")

    async def get(self, domain_id: UUID) -> CustomDomain | None:
        row = await self._tx.fetch_one(SELECT_BY_ID, {"id": domain_id})
        return _domain(row) if row else None

    async def find_verified(self, domain: str) -> CustomDomain | None:
        row = await self._tx.fetch_one(SELECT_VERIFIED, {"domain": domain})
        return _domain(row) if row else None

    async def list_claims(self, domain: str) -> list[CustomDomain]:
        return [_domain(row) for row in await self._tx.fetch_all(SELECT_CLAIMS, {"domain": domain})]

    async def list_verified_names(self) -> list[str]:
        return [row["domain"] for row in await self._tx.fetch_all(SELECT_VERIFIED_NAMES, {})]

    async def list_for_user(self, user_id: UUID) -> list[CustomDomain]:
        return [_domain(row) for row in await self._tx.fetch_all(SELECT_FOR_USER, {"user_id": user_id})]

    async def list_due_for_check(self, checked_before: datetime, limit: int) -> list[CustomDomain]:
        rows = await self._tx.fetch_all(
            SELECT_DUE_FOR_CHECK, {"checked_before": checked_before, "limit": limit}
        )
        return [_domain(row) for row in rows]

    async def update(self, domain: CustomDomain) -> None:
        async with self._tx.guarded():
            if await self._tx.execute(UPDATE, _params(domain)) == 0:
                raise NotFound("domain not found")

    async def delete(self, domain_id: UUID) -> bool:
        return await self._tx.execute(DELETE, {"id": domain_id}) > 0
