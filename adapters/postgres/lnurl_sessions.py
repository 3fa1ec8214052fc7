"""LNURL-auth sessions in PostgreSQL."""

from datetime import datetime
from uuid import UUID

from domain.auth.lnurl import LnurlAction, LnurlSession
from domain.shared.errors import Conflict

from .transaction import PostgresTransaction, Row

INSERT = """
INSERT INTO lnurl_sessions (id, k1, action, poll_secret_hash, user_id, linking_key, created_at, expires_at,
    completed_at, tokens_claimed_at)
VALUES (%(id)s, %(k1)s, %(action)s, %(poll_secret_hash)s, %(user_id)s, %(linking_key)s, %(created_at)s,
    %(expires_at)s, %(completed_at)s, %(tokens_claimed_at)s)
ON CONFLICT DO NOTHING
"""
SELECT_BY_K1 = """
SELECT id, k1, action, poll_secret_hash, user_id, linking_key, created_at, expires_at, completed_at,
    tokens_claimed_at
FROM lnurl_sessions WHERE k1 = %(k1)s
"""
SELECT_BY_POLL_HASH = """
SELECT id, k1, action, poll_secret_hash, user_id, linking_key, created_at, expires_at, completed_at,
    tokens_claimed_at
FROM lnurl_sessions WHERE poll_secret_hash = %(poll_secret_hash)s
"""
COMPLETE = """
UPDATE lnurl_sessions SET linking_key = %(linking_key)s, user_id = %(user_id)s, completed_at = %(now)s
WHERE k1 = %(k1)s AND completed_at IS NULL AND expires_at > %(now)s
  AND (user_id IS NULL OR user_id = %(user_id)s)
RETURNING id, k1, action, poll_secret_hash, user_id, linking_key, created_at, expires_at, completed_at,
    tokens_claimed_at
"""
CLAIM_TOKENS = """
UPDATE lnurl_sessions SET tokens_claimed_at = %(now)s
WHERE k1 = %(k1)s AND completed_at IS NOT NULL AND tokens_claimed_at IS NULL
RETURNING id, k1, action, poll_secret_hash, user_id, linking_key, created_at, expires_at, completed_at,
    tokens_claimed_at
"""
DELETE_EXPIRED = "DELETE FROM lnurl_sessions WHERE expires_at < %(before)s"


def _session(row: Row) -> LnurlSession:
    return LnurlSession(
        id=row["id"],
        k1=row["k1"],
        action=LnurlAction(row["action"]),
        poll_secret_hash=row["poll_secret_hash"],
        user_id=row["user_id"],
        linking_key=row["linking_key"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        completed_at=row["completed_at"],
        tokens_claimed_at=row["tokens_claimed_at"],
    )


class PostgresLnurlSessionRepository:
    def __init__(self, tx: PostgresTransaction) -> None:
        self._tx = tx

    async def add(self, session: LnurlSession) -> None:
        params = {
            "id": session.id,
            "k1": session.k1,
            "action": session.action.value,
            "poll_secret_hash": session.poll_secret_hash,
            "user_id": session.user_id,
            "linking_key": session.linking_key,
            "created_at": session.created_at,
            "expires_at": session.expires_at,
            "completed_at": session.completed_at,
            "tokens_claimed_at": session.tokens_claimed_at,
        }
        if not await self._tx.insert(INSERT, params):
            raise Conflict("an LNURL session with this k1 already exists")

    async def get_by_k1(self, k1: str) -> LnurlSession | None:
        row = await self._tx.fetch_one(SELECT_BY_K1, {"k1": k1})
        return _session(row) if row else None

    async def get_by_poll_secret_hash(self, poll_secret_hash: str) -> LnurlSession | None:
        row = await self._tx.fetch_one(SELECT_BY_POLL_HASH, {"poll_secret_hash": poll_secret_hash})
        return _session(row) if row else None

    async def complete(self, k1: str, linking_key: str, user_id: UUID, now: datetime) -> LnurlSession | None:
        params = {"k1": k1, "linking_key": linking_key, "user_id": user_id, "now": now}
        async with self._tx.guarded():
            row = await self._tx.fetch_one(COMPLETE, params)
        return _session(row) if row else None

    async def claim_tokens(self, k1: str, now: datetime) -> LnurlSession | None:
        row = await self._tx.fetch_one(CLAIM_TOKENS, {"k1": k1, "now": now})
        return _session(row) if row else None

    async def delete_expired(self, before: datetime) -> int:
        return await self._tx.execute(DELETE_EXPIRED, {"before": before})
