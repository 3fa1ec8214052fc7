"""Renewal reminders in PostgreSQL: which are due, and their claims."""

from datetime import datetime

from domain.billing.reminders import CLAIM_LEASE, RECENT, DueReminder, ReminderKind

from .transaction import PostgresTransaction, Row

# Each kind's moment, for active owners who want reminders; minus those sent or being sent.
SELECT_DUE = """
WITH due AS (
    SELECT s.id AS subscription_id, s.user_id, u.pubkey, 'ends_in_7_days' AS kind, s.expires_at AS period_end
    FROM subscriptions s JOIN users u ON u.id = s.user_id
    WHERE s.status = 'active' AND s.canceled_at IS NULL
        AND s.expires_at > %(now)s + interval '1 day' AND s.expires_at <= %(now)s + interval '7 days'
    UNION ALL
    SELECT s.id, s.user_id, u.pubkey, 'ends_in_1_day', s.expires_at
    FROM subscriptions s JOIN users u ON u.id = s.user_id
    WHERE s.status = 'active' AND s.canceled_at IS NULL
        AND s.expires_at > %(now)s AND s.expires_at <= %(now)s + interval '1 day'
    UNION ALL
    -- A renewal: a recent payment by an owner whose earlier period had already begun.
    SELECT DISTINCT s.id, s.user_id, u.pubkey, 'renewed', s.expires_at
    FROM payments p
        JOIN subscriptions s ON s.user_id = p.user_id AND s.status = 'active'
        JOIN users u ON u.id = p.user_id
    WHERE p.status = 'paid' AND p.subscription_id IS NOT NULL AND p.paid_at > %(recent)s
        AND p.paid_at <= %(now)s
        AND EXISTS (SELECT 1 FROM subscriptions o WHERE o.user_id = p.user_id AND o.starts_at < p.paid_at)
    UNION ALL
    -- Names billing suspended recently, about the period whose end made them lapse.
    SELECT last.id, last.user_id, u.pubkey, 'names_suspended', last.expires_at
    FROM users u
        JOIN LATERAL (
            SELECT e.id, e.user_id, e.expires_at FROM subscriptions e
            WHERE e.user_id = u.id AND e.status IN ('expired', 'canceled') AND e.expires_at IS NOT NULL
            ORDER BY e.expires_at DESC, e.id LIMIT 1
        ) last ON true
    WHERE EXISTS (
        SELECT 1 FROM nip05_billing_holds h WHERE h.user_id = u.id AND h.held_at > %(recent)s
    )
)
SELECT d.subscription_id, d.user_id, d.pubkey, d.kind, d.period_end
FROM due d JOIN users owner ON owner.id = d.user_id
WHERE owner.reminders AND owner.status = 'active'
    AND NOT EXISTS (
        SELECT 1 FROM renewal_reminders r
        WHERE r.subscription_id = d.subscription_id AND r.kind = d.kind AND r.period_end = d.period_end
            AND (r.status = 'sent' OR (r.status = 'sending' AND r.claimed_at > %(stale)s))
    )
ORDER BY d.period_end, d.subscription_id, d.kind
LIMIT %(limit)s
"""
# A new claim, or taking over a failed or stale one; a live claim or a sent reminder is left alone.
CLAIM = """
INSERT INTO renewal_reminders (id, subscription_id, user_id, kind, period_end, status, claimed_at)
VALUES (gen_random_uuid(), %(subscription_id)s, %(user_id)s, %(kind)s, %(period_end)s, 'sending', %(now)s)
ON CONFLICT (subscription_id, kind, period_end) DO UPDATE
    SET status = 'sending', claimed_at = excluded.claimed_at, attempts = renewal_reminders.attempts + 1
    WHERE renewal_reminders.status = 'failed'
        OR (renewal_reminders.status = 'sending' AND renewal_reminders.claimed_at <= %(stale)s)
RETURNING id
"""
MARK = """
UPDATE renewal_reminders SET status = %(status)s, sent_at = %(sent_at)s
WHERE subscription_id = %(subscription_id)s AND kind = %(kind)s AND period_end = %(period_end)s
    AND status = 'sending'
"""


def _key(reminder: DueReminder) -> dict[str, object]:
    return {
        "subscription_id": reminder.subscription_id,
        "kind": reminder.kind.value,
        "period_end": reminder.period_end,
    }


def _reminder(row: Row) -> DueReminder:
    return DueReminder(
        subscription_id=row["subscription_id"],
        user_id=row["user_id"],
        pubkey=row["pubkey"],
        kind=ReminderKind(row["kind"]),
        period_end=row["period_end"],
    )


class PostgresRenewalReminderRepository:
    def __init__(self, tx: PostgresTransaction) -> None:
        self._tx = tx

    async def list_due(self, now: datetime, limit: int) -> list[DueReminder]:
        params = {"now": now, "recent": now - RECENT, "stale": now - CLAIM_LEASE, "limit": limit}
        return [_reminder(row) for row in await self._tx.fetch_all(SELECT_DUE, params)]

    async def claim(self, reminder: DueReminder, now: datetime) -> bool:
        params = {**_key(reminder), "user_id": reminder.user_id, "now": now, "stale": now - CLAIM_LEASE}
        async with self._tx.guarded():
            return await self._tx.fetch_one(CLAIM, params) is not None

    async def mark_sent(self, reminder: DueReminder, now: datetime) -> None:
        await self._tx.execute(MARK, {**_key(reminder), "status": "sent", "sent_at": now})

    async def mark_failed(self, reminder: DueReminder, now: datetime) -> None:
        await self._tx.execute(MARK, {**_key(reminder), "status": "failed", "sent_at": None})
