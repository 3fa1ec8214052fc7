"""NIP-05 names in PostgreSQL."""

from uuid import UUID

from domain.names.nip05 import Nip05, Nip05Status
from domain.shared.errors import Conflict, NotFound

from .transaction import PostgresTransaction, Row

INSERT = """
INSERT INTO nip05_names (id, user_id, name, domain, pubkey, relays, status, created_at, updated_at,
    expires_at, released_at, locked)
VALUES (%(id)s, %(user_id)s, %(name)s, %(domain)s, %(pubkey)s, %(relays)s, %(status)s, %(created_at)s,
    %(updated_at)s, %(expires_at)s, %(released_at)s, %(locked)s)
ON CONFLICT DO NOTHING
"""
SELECT_BY_ID = """
SELECT id, user_id, name, domain, pubkey, relays, status, created_at, updated_at, expires_at,
    released_at, locked
FROM nip05_names WHERE id = %(id)s
"""
SELECT_BY_ID_FOR_UPDATE = SELECT_BY_ID + "FOR UPDATE"
SELECT_LOOKALIKE = """
SELECT id, user_id, name, domain, pubkey, relays, status, created_at, updated_at, expires_at,
    released_at, locked
FROM nip05_names
WHERE domain = lower(%(domain)s) AND name_fold = %(fold)s AND status <> 'released'
    AND (%(user_id)s::uuid IS NULL OR user_id <> %(user_id)s::uuid)
    AND (%(excluding)s::uuid IS NULL OR id <> %(excluding)s::uuid)
ORDER BY created_at, id
LIMIT 1
"""
SELECT_BY_NAME = """
SELECT id, user_id, name, domain, pubkey, relays, status, created_at, updated_at, expires_at,
    released_at, locked
FROM nip05_names WHERE lower(name) = lower(%(name)s) AND lower(domain) = lower(%(domain)s)
"""
SELECT_FOR_USER = """
SELECT id, user_id, name, domain, pubkey, relays, status, created_at, updated_at, expires_at,
    released_at, locked
FROM nip05_names WHERE user_id = %(user_id)s
ORDER BY created_at, id
"""
SELECT_FOR_DOMAIN = """
SELECT id, user_id, name, domain, pubkey, relays, status, created_at, updated_at, expires_at,
    released_at, locked
FROM nip05_names WHERE lower(domain) = lower(%(domain)s)
ORDER BY lower(name)
"""
SELECT_HELD_NAMES = """
SELECT lower(name) AS name FROM nip05_names
WHERE lower(domain) = lower(%(domain)s) AND status <> 'released'
"""
SELECT_ACTIVE_PUBKEYS = """
SELECT DISTINCT pubkey FROM nip05_names WHERE status = 'active' ORDER BY pubkey
"""
UPDATE = """
UPDATE nip05_names SET user_id = %(user_id)s, name = %(name)s, domain = %(domain)s, pubkey = %(pubkey)s,
    relays = %(relays)s,
    status = %(status)s, updated_at = %(updated_at)s, expires_at = %(expires_at)s,
    released_at = %(released_at)s, locked = %(locked)s
WHERE id = %(id)s
"""
DELETE = "DELETE FROM nip05_names WHERE id = %(id)s"
DELETE_FOR_USER_ON_DOMAIN = """
DELETE FROM nip05_names WHERE user_id = %(user_id)s AND lower(domain) = lower(%(domain)s)
RETURNING name
"""
DELETE_FOR_OTHERS_ON_DOMAIN = """
DELETE FROM nip05_names WHERE user_id <> %(user_id)s AND lower(domain) = lower(%(domain)s)
RETURNING name
"""


def _params(nip05: Nip05) -> dict[str, object]:
    return {
        "id": nip05.id,
        "user_id": nip05.user_id,
        "name": nip05.name,
        "domain": nip05.domain,
        "pubkey": nip05.pubkey,
        "relays": list(nip05.relays),
        "status": nip05.status.value,
        "created_at": nip05.created_at,
        "updated_at": nip05.updated_at,
        "expires_at": nip05.expires_at,
        "released_at": nip05.released_at,
        "locked": nip05.locked,
    }


def _nip05(row: Row) -> Nip05:
    return Nip05(
        id=row["id"],
        user_id=row["user_id"],
        name=row["name"],
        domain=row["domain"],
        pubkey=row["pubkey"],
        relays=tuple(row["relays"]),
        status=Nip05Status(row["status"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        expires_at=row["expires_at"],
        released_at=row["released_at"],
        locked=row["locked"],
    )


class PostgresNip05Repository:
    def __init__(self, tx: PostgresTransaction) -> None:
        self._tx = tx

    async def add(self, nip05: Nip05) -> None:
        if not await self._tx.insert(INSERT, _params(nip05)):
            raise Conflict(f"{nip05.identifier} is already taken, or passes for another account's name")

    async def get(self, nip05_id: UUID) -> Nip05 | None:
        row = await self._tx.fetch_one(SELECT_BY_ID, {"id": nip05_id})
        return _nip05(row) if row else None

    async def get_for_update(self, nip05_id: UUID) -> Nip05 | None:
        row = await self._tx.fetch_one(SELECT_BY_ID_FOR_UPDATE, {"id": nip05_id})
        return _nip05(row) if row else None

    async def find_lookalike(
        self, fold: str, domain: str, other_than: UUID | None, excluding: UUID | None = None
    ) -> Nip05 | None:
        params = {"fold": fold, "domain": domain, "user_id": other_than, "excluding": excluding}
        row = await self._tx.fetch_one(SELECT_LOOKALIKE, params)
        return _nip05(row) if row else None

    async def find(self, name: str, domain: str) -> Nip05 | None:
        row = await self._tx.fetch_one(SELECT_BY_NAME, {"name": name, "domain": domain})
        return _nip05(row) if row else None

    async def list_for_user(self, user_id: UUID) -> list[Nip05]:
        return [_nip05(row) for row in await self._tx.fetch_all(SELECT_FOR_USER, {"user_id": user_id})]

    async def list_for_domain(self, domain: str) -> list[Nip05]:
        return [_nip05(row) for row in await self._tx.fetch_all(SELECT_FOR_DOMAIN, {"domain": domain})]

    async def delete_for_user_on_domain(self, user_id: UUID, domain: str) -> list[str]:
        rows = await self._tx.fetch_all(DELETE_FOR_USER_ON_DOMAIN, {"user_id": user_id, "domain": domain})
        return sorted(row["name"] for row in rows)

    async def delete_for_others_on_domain(self, domain: str, user_id: UUID) -> list[str]:
        rows = await self._tx.fetch_all(DELETE_FOR_OTHERS_ON_DOMAIN, {"user_id": user_id, "domain": domain})
        return sorted(row["name"] for row in rows)

    async def list_held_names(self, domain: str) -> list[str]:
        return [row["name"] for row in await self._tx.fetch_all(SELECT_HELD_NAMES, {"domain": domain})]

    async def list_active_pubkeys(self) -> list[str]:
        return [row["pubkey"] for row in await self._tx.fetch_all(SELECT_ACTIVE_PUBKEYS, {})]

    async def update(self, nip05: Nip05) -> None:
        async with self._tx.guarded():
            if await self._tx.execute(UPDATE, _params(nip05)) == 0:
                raise NotFound("NIP-05 name not found")

    async def delete(self, nip05_id: UUID) -> bool:
        return await self._tx.execute(DELETE, {"id": nip05_id}) > 0
