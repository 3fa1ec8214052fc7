"""Shared pieces of the payment providers' consumer contracts."""

from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import httpx
import pytest
from pact import Pact

from domain.billing.ports import (
    InvoiceRequest,
    ProviderError,
    ProviderInvoiceNotFound,
    ProviderMisconfigured,
    ProviderRateLimited,
    ProviderRejectedCredentials,
)
from domain.billing.subscriptions import Currency
from domain.shared.errors import NotFound

PACTS = Path(__file__).parent / "pacts"
CONSUMER = "nostr-id"
PAYMENT_ID = UUID("6f1c2a7e-3b7d-4c55-9a7e-2f0c1d9b8a61")
PAYMENT_HASH = "9eea6b3fee046f752a5f38824b434ddadd752ab40b8e5a7356ca5c2971b2f8ef"

# Error answers every client must turn into a clear error of ours.
ERROR_ANSWERS: list[tuple[int, type[Exception]]] = [
    (401, ProviderRejectedCredentials),
    (404, ProviderInvoiceNotFound),
    (429, ProviderRateLimited),
    (500, ProviderError),
    (503, ProviderError),
]


def invoice_request(amount: int, currency: Currency) -> InvoiceRequest:
    return InvoiceRequest(
        payment_id=PAYMENT_ID,
        amount=amount,
        currency=currency,
        description="nostr-id Pro (monthly)",
        webhook_url="https://id.example.com/api/v1/webhooks/test",
        return_url=f"https://id.example.com/api/v1/payments/{PAYMENT_ID}",
        expires_in_seconds=3600,
    )


def pact_fixture(provider: str):  # type: ignore[no-untyped-def]
    """A module's `pact` fixture: one mock provider per test, all writing one pact file."""

    @pytest.fixture(scope="module")
    def fresh_pact_file() -> None:
        (PACTS / f"{CONSUMER}-{provider}.json").unlink(missing_ok=True)

    @pytest.fixture
    def pact(fresh_pact_file: None) -> Iterator[Pact]:
        contract = Pact(CONSUMER, provider).with_specification("V4")
        yield contract
        contract.write_file(PACTS, overwrite=False)

    return fresh_pact_file, pact


def assert_maps(error: Exception, expected: type[Exception]) -> None:
    assert isinstance(error, expected), type(error)
    if expected is ProviderInvoiceNotFound:
        assert isinstance(error, NotFound)
    if expected in (ProviderError, ProviderMisconfigured):
        assert type(error) is expected


class CountingTransport(httpx.AsyncHTTPTransport):
    """A real transport that counts the requests it sends, by method."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request.method)
        return await super().handle_async_request(request)
