"""API keys in PostgreSQL."""

from uuid import UUID

from domain.api_keys.keys import ApiKey, ApiKeyScope
from domain.shared.errors import Conflict, NotFound

from .transaction import PostgresTransaction, Row

INSERT = """
INSERT INTO api_keys (id, user_id, name, prefix, key_hash, scopes, created_at, last_used_at, revoked_at)
VALUES (%(id)s, %(user_id)s, %(name)s, %(prefix)s, %(key_hash)s, %(scopes)s, %(created_at)s,
    %(last_used_at)s, %(revoked_at)s)
ON CONFLICT DO NOTHING
"""
SELECT_BY_ID = """
SELECT id, user_id, name, prefix, key_hash, scopes, created_at, last_used_at, revoked_at
FROM api_keys WHERE id = %(id)s
"""
SELECT_BY_HASH = """
SELECT id, user_id, name, prefix, key_hash, scopes, created_at, last_used_at, revoked_at
FROM api_keys WHERE key_hash = %(key_hash)s
"""
SELECT_BY_PREFIX = """
SELECT id, user_id, name, prefix, key_hash, scopes, created_at, last_used_at, revoked_at
FROM api_keys WHERE prefix = %(prefix)s
"""
SELECT_FOR_USER = """
SELECT id, user_id, name, prefix, key_hash, scopes, created_at, last_used_at, revoked_at
FROM api_keys WHERE user_id = %(user_id)s
ORDER BY created_at DESC, id
"""
UPDATE = """
UPDATE api_keys SET name = %(name)s, scopes = %(scopes)s, last_used_at = %(last_used_at)s,
    revoked_at = %(revoked_at)s
WHERE id = %(id)s
"""


def _params(api_key: ApiKey) -> dict[str, object]:
    return {
        "id": api_key.id,
        "user_id": api_key.user_id,
        "name": api_key.name,
        "prefix": api_key.prefix,
        "key_hash": api_key.key_hash,
        "scopes": [scope.value for scope in api_key.scopes],
        "created_at": api_key.created_at,
        "last_used_at": api_key.last_used_at,
        "revoked_at": api_key.revoked_at,
    }


def _api_key(row: Row) -> ApiKey:
    return ApiKey(
        id=row["id"],
        user_id=row["user_id"],
        name=row["name"],
        prefix=row["prefix"],
        key_hash=row["key_hash"],
        scopes=tuple(ApiKeyScope(scope) for scope in row["scopes"]),
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
        revoked_at=row["revoked_at"],
    )


class PostgresApiKeyRepository:
    def __init__(self, tx: PostgresTransaction) -> None:
        self._tx = tx

    async def add(self, api_key: ApiKey) -> None:
        if not await self._tx.insert(INSERT, _params(api_key)):
            raise Conflict("an API key with this id or key already exists")

    async def get(self, api_key_id: UUID) -> ApiKey | None:
        row = await self._tx.fetch_one(SELECT_BY_ID, {"id": api_key_id})
        return _api_key(row) if row else None

    async def get_by_hash(self, key_hash: str) -> ApiKey | None:
        row = await self._tx.fetch_one(SELECT_BY_HASH, {"key_hash": key_hash})
        return _api_key(row) if row else None

    async def list_by_prefix(self, prefix: str) -> list[ApiKey]:
        return [_api_key(row) for row in await self._tx.fetch_all(SELECT_BY_PREFIX, {"prefix": prefix})]

    async def list_for_user(self, user_id: UUID) -> list[ApiKey]:
        return [_api_key(row) for row in await self._tx.fetch_all(SELECT_FOR_USER, {"user_id": user_id})]

    async def update(self, api_key: ApiKey) -> None:
        if await self._tx.execute(UPDATE, _params(api_key)) == 0:
            raise NotFound("API key not found")
