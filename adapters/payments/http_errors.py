"""Provider answers over HTTP mapped to the port's errors, in one place for the httpx clients."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from domain.billing.ports import (
    ProviderError,
    ProviderInvoiceNotFound,
    ProviderMisconfigured,
    ProviderRateLimited,
    ProviderRejectedCredentials,
)

DEFAULT_TIMEOUT = 10.0


def _retry_after(response: httpx.Response) -> int:
    try:
        return max(1, min(3600, int(response.headers.get("Retry-After", "30"))))
    except ValueError:
        return 30


def raise_for_answer(provider: str, response: httpx.Response, *, creating: bool = False) -> None:
    """Does nothing for 2xx; otherwise raises the error of ours that the status means.

    A 404 to a creation means the store or wallet we are configured with is unknown to the provider.
    """
    status = response.status_code
    if 200 <= status < 300:
        return
    if status in (401, 403):
        raise ProviderRejectedCredentials(
            f"{provider} rejected our credentials ({status}); check its API key and permissions"
        )
    if status == 404 and creating:
        raise ProviderMisconfigured(f"{provider} does not know the store or wallet we are configured with")
    if status == 404:
        raise ProviderInvoiceNotFound(f"{provider} does not know this invoice")
    if status == 429:
        retry_after = _retry_after(response)
        raise ProviderRateLimited(f"{provider} is rate-limiting us; retry later", retry_after)
    if status >= 500:
        raise ProviderError(f"{provider} failed ({status}); retry later")
    raise ProviderError(f"{provider} refused the request ({status})")


@asynccontextmanager
async def outside_call(provider: str) -> AsyncIterator[None]:
    """Turns timeouts and transport failures into ProviderError."""
    try:
        yield
    except httpx.TimeoutException as error:
        raise ProviderError(f"{provider} did not answer in time") from error
    except httpx.TransportError as error:
        raise ProviderError(f"{provider} could not be reached") from error
    except ValueError as error:
        raise ProviderError(f"{provider} answered something we cannot read") from error
