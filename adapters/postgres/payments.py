"""Payments in PostgreSQL."""

from datetime import datetime
from uuid import UUID

from domain.billing.subscriptions import Currency, Payment, PaymentProviderName, PaymentStatus
from domain.shared.errors import Conflict, NotFound

from .transaction import PostgresTransaction, Row

INSERT = """
INSERT INTO payments (id, user_id, subscription_id, provider, provider_invoice_id, amount, currency, status,
    checkout_url, bolt11, receipt_number, created_at, updated_at, expires_at, paid_at, refunded_at, plan_id,
    list_amount, discount_percent)
VALUES (%(id)s, %(user_id)s, %(subscription_id)s, %(provider)s, %(provider_invoice_id)s, %(amount)s,
    %(currency)s, %(status)s, %(checkout_url)s, %(bolt11)s, %(receipt_number)s, %(created_at)s,
    %(updated_at)s, %(expires_at)s, %(paid_at)s, %(refunded_at)s, %(plan_id)s, %(list_amount)s,
    %(discount_percent)s)
ON CONFLICT DO NOTHING
"""
SELECT_BY_ID = """
SELECT id, user_id, subscription_id, provider, provider_invoice_id, amount, currency, status, checkout_url,
    bolt11, receipt_number, created_at, updated_at, expires_at, paid_at, refunded_at, plan_id, list_amount,
    discount_percent
FROM payments WHERE id = %(id)s
"""
SELECT_BY_PROVIDER_INVOICE = """
SELECT id, user_id, subscription_id, provider, provider_invoice_id, amount, currency, status, checkout_url,
    bolt11, receipt_number, created_at, updated_at, expires_at, paid_at, refunded_at, plan_id, list_amount,
    discount_percent
FROM payments WHERE provider = %(provider)s AND provider_invoice_id = %(provider_invoice_id)s
"""
SELECT_FOR_USER = """
SELECT id, user_id, subscription_id, provider, provider_invoice_id, amount, currency, status, checkout_url,
    bolt11, receipt_number, created_at, updated_at, expires_at, paid_at, refunded_at, plan_id, list_amount,
    discount_percent
FROM payments WHERE user_id = %(user_id)s
ORDER BY created_at DESC, id
"""
SELECT_BY_ID_FOR_UPDATE = SELECT_BY_ID + " FOR UPDATE"
MARK_EXPIRY_TRIED = "UPDATE payments SET expiry_tried_at = %(now)s WHERE id = %(id)s"
SELECT_OVERDUE = """
SELECT id, user_id, subscription_id, provider, provider_invoice_id, amount, currency, status, checkout_url,
    bolt11, receipt_number, created_at, updated_at, expires_at, paid_at, refunded_at, plan_id, list_amount,
    discount_percent
FROM payments WHERE status = 'pending' AND expires_at <= %(now)s
ORDER BY expiry_tried_at NULLS FIRST, expires_at, id
LIMIT %(limit)s
"""
# The year's counter row stays locked until the settling transaction ends, so concurrent settlements
# take numbers one after another, and a rolled-back settlement gives its number back.
NEXT_RECEIPT_NUMBER = """
INSERT INTO receipt_counters (year, last_number) VALUES (%(year)s, 1)
ON CONFLICT (year) DO UPDATE SET last_number = receipt_counters.last_number + 1
RETURNING last_number AS number
"""
UPDATE = """
UPDATE payments SET subscription_id = %(subscription_id)s, status = %(status)s,
    checkout_url = %(checkout_url)s, bolt11 = %(bolt11)s, receipt_number = %(receipt_number)s,
    updated_at = %(updated_at)s,
    expires_at = %(expires_at)s, paid_at = %(paid_at)s, refunded_at = %(refunded_at)s
WHERE id = %(id)s
"""


def _params(payment: Payment) -> dict[str, object]:
    return {
        "id": payment.id,
        "user_id": payment.user_id,
        "subscription_id": payment.subscription_id,
        "provider": payment.provider.value,
        "provider_invoice_id": payment.provider_invoice_id,
        "amount": payment.amount,
        "currency": payment.currency.value,
        "status": payment.status.value,
        "checkout_url": payment.checkout_url,
        "bolt11": payment.bolt11,
        "receipt_number": payment.receipt_number,
        "created_at": payment.created_at,
        "updated_at": payment.updated_at,
        "expires_at": payment.expires_at,
        "paid_at": payment.paid_at,
        "refunded_at": payment.refunded_at,
        "plan_id": payment.plan_id,
        "list_amount": payment.list_amount,
        "discount_percent": payment.discount_percent,
    }


def _payment(row: Row) -> Payment:
    return Payment(
        id=row["id"],
        user_id=row["user_id"],
        subscription_id=row["subscription_id"],
        provider=PaymentProviderName(row["provider"]),
        provider_invoice_id=row["provider_invoice_id"],
        amount=row["amount"],
        currency=Currency(row["currency"]),
        status=PaymentStatus(row["status"]),
        checkout_url=row["checkout_url"],
        bolt11=row["bolt11"],
        receipt_number=row["receipt_number"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        expires_at=row["expires_at"],
        paid_at=row["paid_at"],
        refunded_at=row["refunded_at"],
        plan_id=row["plan_id"],
        list_amount=row["list_amount"],
        discount_percent=row["discount_percent"],
    )


class PostgresPaymentRepository:
    def __init__(self, tx: PostgresTransaction) -> None:
        self._tx = tx

    async def add(self, payment: Payment) -> None:
        if not await self._tx.insert(INSERT, _params(payment)):
            raise Conflict("a payment with this id or provider invoice already exists")

    async def get(self, payment_id: UUID) -> Payment | None:
        row = await self._tx.fetch_one(SELECT_BY_ID, {"id": payment_id})
        return _payment(row) if row else None

    async def get_by_provider_invoice(
        self, provider: PaymentProviderName, provider_invoice_id: str
    ) -> Payment | None:
        params = {"provider": provider.value, "provider_invoice_id": provider_invoice_id}
        row = await self._tx.fetch_one(SELECT_BY_PROVIDER_INVOICE, params)
        return _payment(row) if row else None

    async def list_for_user(self, user_id: UUID) -> list[Payment]:
        return [_payment(row) for row in await self._tx.fetch_all(SELECT_FOR_USER, {"user_id": user_id})]

    async def get_for_update(self, payment_id: UUID) -> Payment | None:
        row = await self._tx.fetch_one(SELECT_BY_ID_FOR_UPDATE, {"id": payment_id})
        return _payment(row) if row else None

    async def list_overdue(self, now: datetime, limit: int) -> list[Payment]:
        rows = await self._tx.fetch_all(SELECT_OVERDUE, {"now": now, "limit": limit})
        return [_payment(row) for row in rows]

    async def mark_expiry_tried(self, payment_id: UUID, now: datetime) -> None:
        await self._tx.execute(MARK_EXPIRY_TRIED, {"id": payment_id, "now": now})

    async def next_receipt_number(self, year: int) -> int:
        async with self._tx.guarded():
            row = await self._tx.fetch_one(NEXT_RECEIPT_NUMBER, {"year": year})
        assert row is not None
        return int(row["number"])

    async def update(self, payment: Payment) -> None:
        async with self._tx.guarded():
            if await self._tx.execute(UPDATE, _params(payment)) == 0:
                raise NotFound("payment not found")
