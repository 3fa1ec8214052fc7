"""LNbits over its REST API (httpx): Lightning invoices of one wallet, found by payment hash.

LNbits webhooks are unsigned, so a callback is only a hint: it names a payment hash, and the
invoice is re-fetched with our key before anything is credited. LNbits has no idempotency keys,
so invoice creation is retried only when the request never reached it (a refused connection).
"""

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from adapters.payments.http_errors import DEFAULT_TIMEOUT, outside_call, raise_for_answer
from domain.billing.ports import (
    InvoiceRequest,
    InvoiceState,
    ProviderError,
    ProviderInvoice,
    ProviderRejectedCredentials,
    UnreadableWebhook,
    WebhookNotice,
)
from domain.billing.subscriptions import Currency, PaymentProviderName

PAYMENT_HASH = re.compile(r"[0-9a-f]{64}")
NAME = "LNbits"


class LnbitsProvider:
    name = PaymentProviderName.LNBITS
    currency = Currency.SAT

    def __init__(
        self,
        base_url: str,
        invoice_key: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._headers = {"X-Api-Key": invoice_key, "Accept": "application/json"}
        self._timeout = timeout
        self._transport = transport

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self._base_url, headers=self._headers, timeout=self._timeout, transport=self._transport
        )

    async def create_invoice(self, request: InvoiceRequest) -> ProviderInvoice:
        if request.currency is not Currency.SAT:
            raise ProviderError("LNbits invoices are in sats")
        body = {
            "out": False,
            "amount": request.amount,
            "unit": "sat",
            "memo": request.description,
            "expiry": request.expires_in_seconds,
            "webhook": request.webhook_url,
            "extra": {"payment_id": str(request.payment_id)},
        }
        async with outside_call(NAME), self._client() as client:
            try:
                response = await client.post("/api/v1/payments", json=body)
            except httpx.ConnectError:
                # Refused before anything was sent: LNbits never saw the first attempt.
                response = await client.post("/api/v1/payments", json=body)
            raise_for_answer(NAME, response, creating=True)
            data = response.json()
        payment_hash = str(data["payment_hash"])
        return ProviderInvoice(
            invoice_id=payment_hash,
            state=InvoiceState.PENDING,
            amount=request.amount,
            currency=Currency.SAT,
            bolt11=data.get("bolt11") or data.get("payment_request"),
            expires_at=_expiry(data.get("expiry")),
        )

    async def fetch_invoice(self, invoice_id: str) -> ProviderInvoice:
        if PAYMENT_HASH.fullmatch(invoice_id) is None:
            raise UnreadableWebhook("an LNbits invoice id is a 64-hex payment hash")
        async with outside_call(NAME), self._client() as client:
            response = await client.get(f"/api/v1/payments/{invoice_id}")
            raise_for_answer(NAME, response)
            data = response.json()
        details = data.get("details")
        if not isinstance(details, dict):
            # LNbits answers a bare {"paid": ...} to a key that does not own the wallet.
            raise ProviderRejectedCredentials(
                "LNbits did not show the invoice: is LNBITS_API_KEY this wallet's key?"
            )
        return _invoice(invoice_id, bool(data.get("paid")), details)

    def verify_webhook(self, headers: Mapping[str, str], body: bytes, now: datetime) -> WebhookNotice:
        # Unsigned by design: only the payment hash is read, and the invoice is then re-fetched.
        try:
            payment = json.loads(body)
            # LNbits 1.x posts `json=payment.json()`: the payment as a JSON string inside JSON.
            if isinstance(payment, str):
                payment = json.loads(payment)
            payment_hash = payment["payment_hash"]
        except (ValueError, KeyError, TypeError) as error:
            raise UnreadableWebhook("the LNbits callback names no payment_hash") from error
        if not isinstance(payment_hash, str) or PAYMENT_HASH.fullmatch(payment_hash) is None:
            raise UnreadableWebhook("the LNbits callback's payment_hash is not 64 hex characters")
        return WebhookNotice(invoice_id=payment_hash)


def _invoice(payment_hash: str, paid: bool, details: dict[str, Any]) -> ProviderInvoice:
    expires_at = _expiry(details.get("expiry"))
    status = str(details.get("status", "pending"))
    if paid or status == "success":
        state = InvoiceState.PAID
    elif status == "failed":
        state = InvoiceState.FAILED
    elif expires_at is not None and datetime.now(UTC) >= expires_at:
        state = InvoiceState.EXPIRED
    else:
        state = InvoiceState.PENDING
    return ProviderInvoice(
        invoice_id=payment_hash,
        state=state,
        amount=abs(int(details.get("amount", 0))) // 1000,
        currency=Currency.SAT,
        bolt11=details.get("bolt11") or details.get("payment_request"),
        expires_at=expires_at,
    )


def _expiry(value: object) -> datetime | None:
    if isinstance(value, int | float):
        return datetime.now(UTC) + timedelta(seconds=float(value))
    if not isinstance(value, str) or not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
