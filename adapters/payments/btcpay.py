"""BTCPay Server over its Greenfield API (httpx): invoices in sats of one store.

Greenfield has no idempotency keys; our payment id goes into the invoice's `metadata.orderId`, and
a retried creation first looks the invoice up by that order id, so a retry never makes a second
invoice. Webhooks carry `BTCPay-Sig: sha256=<hex HMAC-SHA256 of the raw body>`.
"""

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from adapters.payments.http_errors import DEFAULT_TIMEOUT, outside_call, raise_for_answer
from adapters.payments.signatures import hmac_sha256_hex, matches
from domain.billing.ports import (
    InvalidWebhookSignature,
    InvoiceRequest,
    InvoiceState,
    ProviderError,
    ProviderInvoice,
    UnreadableWebhook,
    WebhookNotice,
)
from domain.billing.subscriptions import Currency, PaymentProviderName

NAME = "BTCPay Server"
SIGNATURE_HEADER = "btcpay-sig"
STATES = {
    "New": InvoiceState.PENDING,
    "Processing": InvoiceState.PENDING,
    "Settled": InvoiceState.PAID,
    "Expired": InvoiceState.EXPIRED,
    "Invalid": InvoiceState.FAILED,
}


class BtcpayProvider:
    name = PaymentProviderName.BTCPAY
    currency = Currency.SAT

    def __init__(
        self,
        base_url: str,
        api_key: str,
        store_id: str,
        webhook_secret: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._headers = {"Authorization": f"token {api_key}", "Accept": "application/json"}
        self._store_id = store_id
        self._webhook_secret = webhook_secret
        self._timeout = timeout
        self._transport = transport

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self._base_url, headers=self._headers, timeout=self._timeout, transport=self._transport
        )

    @property
    def _invoices(self) -> str:
        return f"/api/v1/stores/{self._store_id}/invoices"

    async def create_invoice(self, request: InvoiceRequest) -> ProviderInvoice:
        if request.currency is not Currency.SAT:
            raise ProviderError("BTCPay invoices are billed in sats here")
        order_id = str(request.payment_id)
        body = {
            "amount": str(request.amount),
            "currency": "SATS",
            "metadata": {"orderId": order_id, "itemDesc": request.description},
            "checkout": {
                "expirationMinutes": max(1, request.expires_in_seconds // 60),
                "redirectURL": request.return_url,
            },
        }
        async with self._client() as client:
            try:
                async with outside_call(NAME):
                    response = await client.post(self._invoices, json=body)
                    raise_for_answer(NAME, response, creating=True)
                    return _invoice(response.json())
            except ProviderError as first_failure:
                if type(first_failure) is not ProviderError:
                    raise
            # The first attempt may have created the invoice before failing: look before retrying.
            async with outside_call(NAME):
                found = await client.get(self._invoices, params={"orderId": order_id})
                raise_for_answer(NAME, found)
                existing = [item for item in found.json() if _order_id(item) == order_id]
                if existing:
                    return _invoice(existing[0])
                response = await client.post(self._invoices, json=body)
                raise_for_answer(NAME, response, creating=True)
                return _invoice(response.json())

    async def fetch_invoice(self, invoice_id: str) -> ProviderInvoice:
        async with outside_call(NAME), self._client() as client:
            response = await client.get(f"{self._invoices}/{invoice_id}")
            raise_for_answer(NAME, response)
            return _invoice(response.json())

    def verify_webhook(self, headers: Mapping[str, str], body: bytes, now: datetime) -> WebhookNotice:
        presented = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER), None)
        if presented is None or not presented.startswith("sha256="):
            raise InvalidWebhookSignature("missing or malformed BTCPay-Sig header")
        if not matches(hmac_sha256_hex(self._webhook_secret, body), presented.removeprefix("sha256=")):
            raise InvalidWebhookSignature("BTCPay-Sig does not match the body")
        try:
            event = json.loads(body)
            delivery = event.get("originalDeliveryId") or event["deliveryId"]
            invoice_id = event.get("invoiceId")
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise UnreadableWebhook("the BTCPay webhook is not an event we can read") from error
        return WebhookNotice(
            invoice_id=str(invoice_id) if invoice_id else None, event_id=f"{event.get('type')}:{delivery}"
        )


def _order_id(data: Any) -> str | None:
    metadata = data.get("metadata") if isinstance(data, dict) else None
    return metadata.get("orderId") if isinstance(metadata, dict) else None


def _invoice(data: dict[str, Any]) -> ProviderInvoice:
    try:
        amount = Decimal(str(data["amount"]))
        currency = str(data.get("currency", "SATS")).upper()
        sats = int(amount) if currency == "SATS" else int(amount * 100_000_000)
        expiration = data.get("expirationTime")
        return ProviderInvoice(
            invoice_id=str(data["id"]),
            state=STATES.get(str(data.get("status")), InvoiceState.PENDING),
            amount=sats,
            currency=Currency.SAT,
            checkout_url=data.get("checkoutLink"),
            expires_at=datetime.fromtimestamp(expiration, UTC) if expiration else None,
        )
    except (KeyError, TypeError, InvalidOperation) as error:
        raise ProviderError("BTCPay Server answered an invoice we cannot read") from error
