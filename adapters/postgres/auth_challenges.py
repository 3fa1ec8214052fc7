"""Sign-in challenges in PostgreSQL."""

from datetime import datetime

from domain.auth.challenges import AuthChallenge
from domain.shared.errors import Conflict

from .transaction import PostgresTransaction, Row

INSERT = """
INSERT INTO auth_challenges (id, challenge, created_at, expires_at, used_at)
VALUES (%(id)s, %(challenge)s, %(created_at)s, %(expires_at)s, %(used_at)s)
ON CONFLICT DO NOTHING
"""
CONSUME = """
UPDATE auth_challenges SET used_at = %(now)s
WHERE challenge = %(challenge)s AND used_at IS NULL AND expires_at > %(now)s
RETURNING id, challenge, created_at, expires_at, used_at
"""
DELETE_EXPIRED = "DELETE FROM auth_challenges WHERE expires_at < %(before)s"


def _challenge(row: Row) -> AuthChallenge:
    return AuthChallenge(
        id=row["id"],
        challenge=row["challenge"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        used_at=row["used_at"],
    )


class PostgresAuthChallengeRepository:
    def __init__(self, tx: PostgresTransaction) -> None:
        self._tx = tx

    async def add(self, challenge: AuthChallenge) -> None:
        params = {
            "id": challenge.id,
            "challenge": challenge.challenge,
            "created_at": challenge.created_at,
            "expires_at": challenge.expires_at,
            "used_at": challenge.used_at,
        }
        if not await self._tx.insert(INSERT, params):
            raise Conflict("this challenge already exists")

    async def consume(self, challenge: str, now: datetime) -> AuthChallenge | None:
        row = await self._tx.fetch_one(CONSUME, {"challenge": challenge, "now": now})
        return _challenge(row) if row else None

    async def delete_expired(self, before: datetime) -> int:
        return await self._tx.execute(DELETE_EXPIRED, {"before": before})
