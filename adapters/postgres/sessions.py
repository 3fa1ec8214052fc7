"""Refresh-token sessions in PostgreSQL."""

from datetime import datetime
from uuid import UUID

from domain.auth.sessions import OpenSession, Session
from domain.shared.errors import Conflict, NotFound

from .transaction import PostgresTransaction, Row

INSERT = """
INSERT INTO sessions (id, user_id, family_id, refresh_token_hash, created_at, expires_at, last_used_at,
    rotated_at, revoked_at, user_agent, ip)
VALUES (%(id)s, %(user_id)s, %(family_id)s, %(refresh_token_hash)s, %(created_at)s, %(expires_at)s,
    %(last_used_at)s, %(rotated_at)s, %(revoked_at)s, %(user_agent)s, %(ip)s::inet)
ON CONFLICT DO NOTHING
"""
SELECT_BY_ID = """
SELECT id, user_id, family_id, refresh_token_hash, created_at, expires_at, last_used_at, rotated_at,
    revoked_at, user_agent, host(ip) AS ip
FROM sessions WHERE id = %(id)s
"""
SELECT_BY_REFRESH_DIGEST = """
SELECT id, user_id, family_id, refresh_token_hash, created_at, expires_at, last_used_at, rotated_at,
    revoked_at, user_agent, host(ip) AS ip
FROM sessions WHERE refresh_token_hash = %(refresh_token_hash)s
"""
UPDATE = """
UPDATE sessions SET refresh_token_hash = %(refresh_token_hash)s, expires_at = %(expires_at)s,
    last_used_at = %(last_used_at)s, rotated_at = %(rotated_at)s, revoked_at = %(revoked_at)s,
    user_agent = %(user_agent)s, ip = %(ip)s::inet
WHERE id = %(id)s
"""
SELECT_OPEN_FOR_USER = """
SELECT s.id, s.user_id, s.family_id, s.refresh_token_hash, s.created_at, s.expires_at, s.last_used_at,
    s.rotated_at, s.revoked_at, s.user_agent, host(s.ip) AS ip,
    (SELECT min(f.created_at) FROM sessions f WHERE f.family_id = s.family_id) AS started_at
FROM sessions s
WHERE s.user_id = %(user_id)s AND s.rotated_at IS NULL AND s.revoked_at IS NULL AND s.expires_at > %(now)s
ORDER BY started_at DESC, s.family_id
"""
SELECT_OPEN_IN_FAMILY = """
SELECT id, user_id, family_id, refresh_token_hash, created_at, expires_at, last_used_at, rotated_at,
    revoked_at, user_agent, host(ip) AS ip
FROM sessions
WHERE family_id = %(family_id)s AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > %(now)s
ORDER BY created_at DESC, id
LIMIT 1
"""
MARK_ROTATED = """
UPDATE sessions SET rotated_at = %(now)s, last_used_at = %(now)s
WHERE id = %(id)s AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > %(now)s
"""
REVOKE_FAMILY = """
UPDATE sessions SET revoked_at = %(now)s WHERE family_id = %(family_id)s AND revoked_at IS NULL
"""
REVOKE_ALL_FOR_USER = """
UPDATE sessions SET revoked_at = %(now)s WHERE user_id = %(user_id)s AND revoked_at IS NULL
"""


def _params(session: Session) -> dict[str, object]:
    return {
        "id": session.id,
        "user_id": session.user_id,
        "family_id": session.family_id,
        "refresh_token_hash": session.refresh_token_hash,
        "created_at": session.created_at,
        "expires_at": session.expires_at,
        "last_used_at": session.last_used_at,
        "rotated_at": session.rotated_at,
        "revoked_at": session.revoked_at,
        "user_agent": session.user_agent,
        "ip": session.ip,
    }


def _session(row: Row) -> Session:
    return Session(
        id=row["id"],
        user_id=row["user_id"],
        family_id=row["family_id"],
        refresh_token_hash=row["refresh_token_hash"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        last_used_at=row["last_used_at"],
        rotated_at=row["rotated_at"],
        revoked_at=row["revoked_at"],
        user_agent=row["user_agent"],
        ip=row["ip"],
    )


class PostgresSessionRepository:
    def __init__(self, tx: PostgresTransaction) -> None:
        self._tx = tx

    async def add(self, session: Session) -> None:
        if not await self._tx.insert(INSERT, _params(session)):
            raise Conflict("a session with this id or refresh token already exists")

    async def get(self, session_id: UUID) -> Session | None:
        row = await self._tx.fetch_one(SELECT_BY_ID, {"id": session_id})
        return _session(row) if row else None

    async def get_by_refresh_token_hash(self, refresh_token_hash: str) -> Session | None:
        row = await self._tx.fetch_one(SELECT_BY_REFRESH_DIGEST, {"refresh_token_hash": refresh_token_hash})
        return _session(row) if row else None

    async def update(self, session: Session) -> None:
        async with self._tx.guarded():
            if await self._tx.execute(UPDATE, _params(session)) == 0:
                raise NotFound("session not found")

    async def list_open_for_user(self, user_id: UUID, now: datetime) -> list[OpenSession]:
        rows = await self._tx.fetch_all(SELECT_OPEN_FOR_USER, {"user_id": user_id, "now": now})
        return [OpenSession(latest=_session(row), started_at=row["started_at"]) for row in rows]

    async def find_open_in_family(self, family_id: UUID, now: datetime) -> Session | None:
        row = await self._tx.fetch_one(SELECT_OPEN_IN_FAMILY, {"family_id": family_id, "now": now})
        return _session(row) if row else None

    async def mark_rotated(self, session_id: UUID, now: datetime) -> bool:
        return await self._tx.execute(MARK_ROTATED, {"id": session_id, "now": now}) == 1

    async def revoke_family(self, family_id: UUID, now: datetime) -> int:
        return await self._tx.execute(REVOKE_FAMILY, {"family_id": family_id, "now": now})

    async def revoke_all_for_user(self, user_id: UUID, now: datetime) -> int:
        return await self._tx.execute(REVOKE_ALL_FOR_USER, {"user_id": user_id, "now": now})
