"""Processed payment-provider webhook deliveries in PostgreSQL."""

from datetime import datetime

from domain.billing.subscriptions import PaymentProviderName

from .transaction import PostgresTransaction

MARK_PROCESSED = """
INSERT INTO processed_webhook_events (provider, event_id, processed_at)
VALUES (%(provider)s, %(event_id)s, %(now)s)
ON CONFLICT (provider, event_id) DO NOTHING
"""


class PostgresProcessedWebhookRepository:
    def __init__(self, tx: PostgresTransaction) -> None:
        self._tx = tx

    async def mark_processed(self, provider: PaymentProviderName, event_id: str, now: datetime) -> bool:
        params = {"provider": provider.value, "event_id": event_id, "now": now}
        return await self._tx.execute(MARK_PROCESSED, params) == 1
