"""The fake payment provider, for `make run`, demos and tests: invoices that settle on demand.

Its invoices live in the Cache port (Redis when the service has one, else the process), so every
process of a fleet sees each invoice, and a killed process loses none. Its webhooks are signed like
BTCPay's (`Fake-Sig: sha256=<hex HMAC of the raw body>`) when it has a webhook secret; without one
it accepts none. With `deliver_webhooks` it also sends them, as real providers do: a settled
invoice is announced by a signed POST to the webhook URL the invoice was created with. It is never
configured in production. An invoice in sats carries a well-formed bolt11 of its own on regtest
(`lnbcrt...`, signed by a key of its own that no route reaches), so pages show what a Lightning
provider's invoice looks like; no wallet can pay it.
"""

import hashlib
import json
import logging
import os
from collections.abc import Mapping
from datetime import datetime, timedelta
from uuid import uuid4

import bolt11
import httpx
import msgspec
from bolt11.models.tags import Tag, TagChar, Tags
from coincurve import PrivateKey

from adapters.payments.signatures import hmac_sha256_hex, matches
from domain.billing.ports import (
    InvalidWebhookSignature,
    InvoiceRequest,
    InvoiceState,
    ProviderInvoice,
    ProviderInvoiceNotFound,
    UnreadableWebhook,
    WebhookNotice,
)
from domain.billing.subscriptions import Currency, PaymentProviderName
from domain.shared.cache import Cache
from domain.shared.clock import Clock

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "fake-sig"
KEY_PREFIX = "fake-payments:invoice:"
# An invoice is kept this long after it expires, so late settles, webhooks and jobs still find it.
KEPT_AFTER_EXPIRY = timedelta(days=90)
DELIVERY_TIMEOUT = 10.0


class _Stored(msgspec.Struct, frozen=True, kw_only=True):
    invoice: ProviderInvoice
    webhook_url: str


class FakePaymentProvider:
    name = PaymentProviderName.FAKE

    def __init__(
        self,
        clock: Clock,
        cache: Cache,
        public_url: str = "http://127.0.0.1:8000",
        webhook_secret: str | None = None,
        currency: Currency = Currency.SAT,
        *,
        deliver_webhooks: bool = False,
    ) -> None:
        self._clock = clock
        self._cache = cache
        self._public_url = public_url.rstrip("/")
        self._webhook_secret = webhook_secret
        self._deliver_webhooks = deliver_webhooks and webhook_secret is not None
        self.currency = currency
        # Invoices this process created (tests count them).
        self.created = 0
        self._node_key = PrivateKey()

    async def create_invoice(self, request: InvoiceRequest) -> ProviderInvoice:
        invoice_id = f"fake_{request.payment_id.hex}"
        existing = await self._load(invoice_id)
        if existing is not None:
            return existing.invoice
        invoice = ProviderInvoice(
            invoice_id=invoice_id,
            state=InvoiceState.PENDING,
            amount=request.amount,
            currency=request.currency,
            checkout_url=f"{self._public_url}/api/v1/payments/{request.payment_id}",
            bolt11=self._bolt11(request) if request.currency is Currency.SAT else None,
            expires_at=self._clock.now() + timedelta(seconds=request.expires_in_seconds),
        )
        stored = _Stored(invoice=invoice, webhook_url=request.webhook_url)
        if not await self._cache.set_if_absent(
            _key(invoice_id), msgspec.json.encode(stored), self._ttl(invoice)
        ):
            # Another process created it meanwhile: its invoice is the one.
            winner = await self._load(invoice_id)
            if winner is not None:
                return winner.invoice
        self.created += 1
        return invoice

    async def fetch_invoice(self, invoice_id: str) -> ProviderInvoice:
        invoice = (await self._require(invoice_id)).invoice
        if invoice.state is InvoiceState.PENDING and _past(invoice.expires_at, self._clock.now()):
            return await self.set_state(invoice_id, InvoiceState.EXPIRED)
        return invoice

    async def settle(self, invoice_id: str) -> ProviderInvoice:
        return await self.set_state(invoice_id, InvoiceState.PAID)

    async def set_state(self, invoice_id: str, state: InvoiceState) -> ProviderInvoice:
        invoice = (await self._require(invoice_id)).invoice
        return await self.report(msgspec.structs.replace(invoice, state=state))

    async def report(self, invoice: ProviderInvoice) -> ProviderInvoice:
        """From now on the provider reports the invoice as given (its id must exist)."""
        stored = await self._require(invoice.invoice_id)
        changed = msgspec.structs.replace(stored, invoice=invoice)
        await self._cache.set(_key(invoice.invoice_id), msgspec.json.encode(changed), self._ttl(invoice))
        return invoice

    async def deliver_webhook(self, invoice_id: str) -> bool:
        """Sends a signed webhook about the invoice to the URL it was created with; True when the
        service acknowledged it (2xx). False when this provider does not deliver webhooks, or the
        delivery failed (logged)."""
        if not self._deliver_webhooks:
            return False
        stored = await self._require(invoice_id)
        body = json.dumps({"event_id": f"evt_{uuid4().hex}", "invoice_id": invoice_id}).encode()
        headers = {**self.sign(body), "Content-Type": "application/json"}
        try:
            async with httpx.AsyncClient(timeout=DELIVERY_TIMEOUT, follow_redirects=False) as client:
                answer = await client.post(stored.webhook_url, content=body, headers=headers)
        except httpx.HTTPError as error:
            log.warning("fake webhook for %s not delivered: %s", invoice_id, type(error).__name__)
            return False
        if not answer.is_success:
            log.warning("fake webhook for %s answered %d", invoice_id, answer.status_code)
        return answer.is_success

    def sign(self, body: bytes) -> dict[str, str]:
        """The headers the fake provider would send with this body."""
        assert self._webhook_secret is not None
        return {"Fake-Sig": f"sha256={hmac_sha256_hex(self._webhook_secret, body)}"}

    def verify_webhook(self, headers: Mapping[str, str], body: bytes, now: datetime) -> WebhookNotice:
        if self._webhook_secret is None:
            raise InvalidWebhookSignature("the fake provider accepts no webhooks without a secret")
        presented = _header(headers, SIGNATURE_HEADER)
        if presented is None or not presented.startswith("sha256="):
            raise InvalidWebhookSignature("missing or malformed Fake-Sig header")
        if not matches(hmac_sha256_hex(self._webhook_secret, body), presented.removeprefix("sha256=")):
            raise InvalidWebhookSignature("Fake-Sig does not match the body")
        try:
            event = json.loads(body)
            return WebhookNotice(invoice_id=str(event["invoice_id"]), event_id=str(event["event_id"]))
        except (ValueError, KeyError, TypeError) as error:
            raise UnreadableWebhook("the webhook names no invoice") from error

    async def _load(self, invoice_id: str) -> _Stored | None:
        data = await self._cache.get(_key(invoice_id))
        return None if data is None else msgspec.json.decode(data, type=_Stored)

    async def _require(self, invoice_id: str) -> _Stored:
        stored = await self._load(invoice_id)
        if stored is None:
            raise ProviderInvoiceNotFound("the fake provider does not know this invoice")
        return stored

    def _bolt11(self, request: InvoiceRequest) -> str:
        """A signed regtest invoice for the amount and description asked."""
        invoice = bolt11.Bolt11(
            currency="bcrt",
            date=int(self._clock.now().timestamp()),
            amount_msat=bolt11.MilliSatoshi(request.amount * 1000),
            tags=Tags(
                [
                    Tag(TagChar.payment_hash, hashlib.sha256(os.urandom(32)).hexdigest()),
                    Tag(TagChar.payment_secret, os.urandom(32).hex()),
                    Tag(TagChar.description, request.description),
                    Tag(TagChar.expire_time, request.expires_in_seconds),
                ]
            ),
        )
        return bolt11.encode(invoice, self._node_key.secret.hex())

    def _ttl(self, invoice: ProviderInvoice) -> float | None:
        if invoice.expires_at is None:
            return None
        return (
            max(0.0, (invoice.expires_at - self._clock.now()).total_seconds())
            + KEPT_AFTER_EXPIRY.total_seconds()
        )


def _key(invoice_id: str) -> str:
    return KEY_PREFIX + invoice_id


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((value for key, value in headers.items() if key.lower() == name), None)


def _past(at: datetime | None, now: datetime) -> bool:
    return at is not None and now >= at
