"""Subscriptions in PostgreSQL."""

from datetime import datetime
from uuid import UUID

from domain.billing.subscriptions import Subscription, SubscriptionStatus
from domain.shared.errors import Conflict, NotFound

from .transaction import PostgresTransaction, Row

INSERT = """
INSERT INTO subscriptions (id, user_id, plan_id, status, created_at, updated_at, starts_at, expires_at,
    canceled_at)
VALUES (%(id)s, %(user_id)s, %(plan_id)s, %(status)s, %(created_at)s, %(updated_at)s, %(starts_at)s,
    %(expires_at)s, %(canceled_at)s)
ON CONFLICT DO NOTHING
"""
SELECT_BY_ID = """
SELECT id, user_id, plan_id, status, created_at, updated_at, starts_at, expires_at, canceled_at
FROM subscriptions WHERE id = %(id)s
"""
SELECT_ACTIVE_FOR_USER = """
SELECT id, user_id, plan_id, status, created_at, updated_at, starts_at, expires_at, canceled_at
FROM subscriptions WHERE user_id = %(user_id)s AND status = 'active'
"""
SELECT_FOR_USER = """
SELECT id, user_id, plan_id, status, created_at, updated_at, starts_at, expires_at, canceled_at
FROM subscriptions WHERE user_id = %(user_id)s
ORDER BY created_at DESC, id
"""
SELECT_DUE_TO_EXPIRE = """
SELECT id, user_id, plan_id, status, created_at, updated_at, starts_at, expires_at, canceled_at
FROM subscriptions WHERE status = 'active' AND expires_at <= %(now)s
ORDER BY expires_at, id
LIMIT %(limit)s
"""
# Users whose paid period ended before the cutoff, with no active subscription, who still have
# more active names than the free plan allows and that billing has not yet held.
SELECT_LAPSED_USERS = """
SELECT s.user_id FROM subscriptions s
WHERE s.status IN ('expired', 'canceled') AND s.expires_at <= %(before)s
    AND NOT EXISTS (SELECT 1 FROM subscriptions a WHERE a.user_id = s.user_id AND a.status = 'active')
    AND (SELECT count(*) FROM nip05_names n WHERE n.user_id = s.user_id AND n.status = 'active')
        > %(free_names)s
GROUP BY s.user_id
ORDER BY min(s.expires_at), s.user_id
LIMIT %(limit)s
"""
UPDATE = """
UPDATE subscriptions SET plan_id = %(plan_id)s, status = %(status)s, updated_at = %(updated_at)s,
    starts_at = %(starts_at)s, expires_at = %(expires_at)s, canceled_at = %(canceled_at)s
WHERE id = %(id)s
"""


def _params(subscription: Subscription) -> dict[str, object]:
    return {
        "id": subscription.id,
        "user_id": subscription.user_id,
        "plan_id": subscription.plan_id,
        "status": subscription.status.value,
        "created_at": subscription.created_at,
        "updated_at": subscription.updated_at,
        "starts_at": subscription.starts_at,
        "expires_at": subscription.expires_at,
        "canceled_at": subscription.canceled_at,
    }


def _subscription(row: Row) -> Subscription:
    return Subscription(
        id=row["id"],
        user_id=row["user_id"],
        plan_id=row["plan_id"],
        status=SubscriptionStatus(row["status"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        starts_at=row["starts_at"],
        expires_at=row["expires_at"],
        canceled_at=row["canceled_at"],
    )


class PostgresSubscriptionRepository:
    def __init__(self, tx: PostgresTransaction) -> None:
        self._tx = tx

    async def add(self, subscription: Subscription) -> None:
        if not await self._tx.insert(INSERT, _params(subscription)):
            raise Conflict("the subscription already exists, or the user already has an active one")

    async def get(self, subscription_id: UUID) -> Subscription | None:
        row = await self._tx.fetch_one(SELECT_BY_ID, {"id": subscription_id})
        return _subscription(row) if row else None

    async def get_active_for_user(self, user_id: UUID) -> Subscription | None:
        row = await self._tx.fetch_one(SELECT_ACTIVE_FOR_USER, {"user_id": user_id})
        return _subscription(row) if row else None

    async def list_for_user(self, user_id: UUID) -> list[Subscription]:
        rows = await self._tx.fetch_all(SELECT_FOR_USER, {"user_id": user_id})
        return [_subscription(row) for row in rows]

    async def list_due_to_expire(self, now: datetime, limit: int) -> list[Subscription]:
        rows = await self._tx.fetch_all(SELECT_DUE_TO_EXPIRE, {"now": now, "limit": limit})
        return [_subscription(row) for row in rows]

    async def list_lapsed_users(self, before: datetime, free_names: int, limit: int) -> list[UUID]:
        params = {"before": before, "free_names": free_names, "limit": limit}
        return [row["user_id"] for row in await self._tx.fetch_all(SELECT_LAPSED_USERS, params)]

    async def update(self, subscription: Subscription) -> None:
        async with self._tx.guarded():
            if await self._tx.execute(UPDATE, _params(subscription)) == 0:
                raise NotFound("subscription not found")
