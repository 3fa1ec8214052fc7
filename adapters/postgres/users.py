"""Users in PostgreSQL."""

from uuid import UUID

from domain.auth.users import User, UserRole, UserStatus
from domain.shared.errors import Conflict, NotFound
from domain.shared.paging import PageCursor

from .transaction import PostgresTransaction, Row

INSERT = """
INSERT INTO users (id, pubkey, role, status, created_at, updated_at, reminders)
VALUES (%(id)s, %(pubkey)s, %(role)s, %(status)s, %(created_at)s, %(updated_at)s, %(reminders)s)
ON CONFLICT DO NOTHING
"""
SELECT_BY_ID = """
SELECT id, pubkey, role, status, created_at, updated_at, reminders FROM users
WHERE id = %(id)s
"""
SELECT_BY_ID_FOR_UPDATE = SELECT_BY_ID + " FOR UPDATE"
SELECT_BY_PUBKEY = """
SELECT id, pubkey, role, status, created_at, updated_at, reminders FROM users
WHERE pubkey = %(pubkey)s
"""
UPDATE = """
UPDATE users SET pubkey = %(pubkey)s, role = %(role)s, status = %(status)s, updated_at = %(updated_at)s,
    reminders = %(reminders)s
WHERE id = %(id)s
"""
SEARCH = """
SELECT id, pubkey, role, status, created_at, updated_at, reminders FROM users
WHERE (%(prefix)s::text IS NULL OR starts_with(pubkey, %(prefix)s::text))
  AND (%(after_at)s::timestamptz IS NULL
       OR (created_at, id) > (%(after_at)s::timestamptz, %(after_id)s::uuid))
ORDER BY created_at, id
LIMIT %(limit)s
"""


def _params(user: User) -> dict[str, object]:
    return {
        "id": user.id,
        "pubkey": user.pubkey,
        "role": user.role.value,
        "status": user.status.value,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
        "reminders": user.reminders,
    }


def _user(row: Row) -> User:
    return User(
        id=row["id"],
        pubkey=row["pubkey"],
        role=UserRole(row["role"]),
        status=UserStatus(row["status"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        reminders=row["reminders"],
    )


class PostgresUserRepository:
    def __init__(self, tx: PostgresTransaction) -> None:
        self._tx = tx

    async def add(self, user: User) -> None:
        if not await self._tx.insert(INSERT, _params(user)):
            raise Conflict("a user with this id or pubkey already exists")

    async def get(self, user_id: UUID) -> User | None:
        row = await self._tx.fetch_one(SELECT_BY_ID, {"id": user_id})
        return _user(row) if row else None

    async def get_for_update(self, user_id: UUID) -> User | None:
        row = await self._tx.fetch_one(SELECT_BY_ID_FOR_UPDATE, {"id": user_id})
        return _user(row) if row else None

    async def get_by_pubkey(self, pubkey: str) -> User | None:
        row = await self._tx.fetch_one(SELECT_BY_PUBKEY, {"pubkey": pubkey})
        return _user(row) if row else None

    async def update(self, user: User) -> None:
        async with self._tx.guarded():
            if await self._tx.execute(UPDATE, _params(user)) == 0:
                raise NotFound("user not found")

    async def search(self, *, pubkey_prefix: str | None, after: PageCursor | None, limit: int) -> list[User]:
        rows = await self._tx.fetch_all(
            SEARCH,
            {
                "prefix": pubkey_prefix,
                "after_at": after.at if after else None,
                "after_id": after.id if after else None,
                "limit": limit,
            },
        )
        return [_user(row) for row in rows]
