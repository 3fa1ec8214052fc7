"""The audit log in PostgreSQL."""

from psycopg.types.json import Jsonb

from domain.audit.entries import AuditLog, AuditLogQuery
from domain.shared.errors import Conflict

from .transaction import PostgresTransaction, Row

INSERT = """
INSERT INTO audit_log (id, occurred_at, actor_user_id, actor_pubkey, action, target_type, target_id, ip,
    user_agent, details)
VALUES (%(id)s, %(occurred_at)s, %(actor_user_id)s, %(actor_pubkey)s, %(action)s, %(target_type)s,
    %(target_id)s, %(ip)s::inet, %(user_agent)s, %(details)s)
ON CONFLICT DO NOTHING
"""
SEARCH = """
SELECT id, occurred_at, actor_user_id, actor_pubkey, action, target_type, target_id, host(ip) AS ip,
    user_agent, details
FROM audit_log
WHERE (%(actor_user_id)s::uuid IS NULL OR actor_user_id = %(actor_user_id)s::uuid)
  AND (%(action)s::text IS NULL OR action = %(action)s::text)
  AND (%(since)s::timestamptz IS NULL OR occurred_at >= %(since)s::timestamptz)
  AND (%(until)s::timestamptz IS NULL OR occurred_at < %(until)s::timestamptz)
  AND (%(after_at)s::timestamptz IS NULL
       OR (occurred_at, id) > (%(after_at)s::timestamptz, %(after_id)s::uuid))
ORDER BY occurred_at, id
LIMIT %(limit)s
"""


def _entry(row: Row) -> AuditLog:
    return AuditLog(
        id=row["id"],
        occurred_at=row["occurred_at"],
        action=row["action"],
        actor_user_id=row["actor_user_id"],
        actor_pubkey=row["actor_pubkey"],
        target_type=row["target_type"],
        target_id=row["target_id"],
        ip=row["ip"],
        user_agent=row["user_agent"],
        details=row["details"],
    )


class PostgresAuditLogRepository:
    def __init__(self, tx: PostgresTransaction) -> None:
        self._tx = tx

    async def add(self, entry: AuditLog) -> None:
        params = {
            "id": entry.id,
            "occurred_at": entry.occurred_at,
            "actor_user_id": entry.actor_user_id,
            "actor_pubkey": entry.actor_pubkey,
            "action": entry.action,
            "target_type": entry.target_type,
            "target_id": entry.target_id,
            "ip": entry.ip,
            "user_agent": entry.user_agent,
            "details": Jsonb(entry.details),
        }
        if not await self._tx.insert(INSERT, params):
            raise Conflict("an audit entry with this id already exists")

    async def search(self, query: AuditLogQuery) -> list[AuditLog]:
        params = {
            "actor_user_id": query.actor_user_id,
            "action": query.action,
            "since": query.since,
            "until": query.until,
            "after_at": query.after.at if query.after else None,
            "after_id": query.after.id if query.after else None,
            "limit": query.limit,
        }
        return [_entry(row) for row in await self._tx.fetch_all(SEARCH, params)]
