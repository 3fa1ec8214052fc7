"""NIP-11 relay information: the limits a relay announces and whether it supports COUNT (NIP-45)."""

import logging
from typing import Any

import httpx
import msgspec

logger = logging.getLogger(__name__)


# Larger announced values are taken as "no useful limit" rather than trusted.
MAX_ANNOUNCED = 1_000_000


def _positive(value: object) -> int | None:
    """An announced limit we act on: an integer from 1 to MAX_ANNOUNCED, else None (ignored)."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ANNOUNCED:
        return value
    return None


class Limitation(msgspec.Struct, frozen=True):
    """As announced; relays send odd values (0, negatives, strings), so each is read through a
    `valid_...` property that ignores what is not a positive integer."""

    max_limit: Any = None
    max_subscriptions: Any = None
    auth_required: Any = False

    @property
    def valid_max_limit(self) -> int | None:
        return _positive(self.max_limit)

    @property
    def valid_max_subscriptions(self) -> int | None:
        return _positive(self.max_subscriptions)


class RelayInformation(msgspec.Struct, frozen=True):
    supported_nips: Any = None
    limitation: Limitation = msgspec.field(default_factory=Limitation)

    @property
    def supports_count(self) -> bool | None:
        """True or False when the document lists its NIPs; None when it does not say clearly."""
        if not isinstance(self.supported_nips, list):
            return None
        return 45 in self.supported_nips


def information_url(relay_url: str) -> str:
    if relay_url.startswith("wss://"):
        return "https://" + relay_url[len("wss://") :]
    if relay_url.startswith("ws://"):
        return "http://" + relay_url[len("ws://") :]
    raise ValueError(f"not a websocket URL: {relay_url}")


async def fetch_information(
    client: httpx.AsyncClient, relay_url: str, *, max_bytes: int = 64 * 1024
) -> RelayInformation | None:
    """The relay's NIP-11 document, or None when it has none or answers anything unusable."""
    try:
        async with client.stream(
            "GET", information_url(relay_url), headers={"Accept": "application/nostr+json"}
        ) as response:
            if response.status_code != 200:
                return None
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    return None
        return msgspec.json.decode(bytes(body), type=RelayInformation)
    except (httpx.HTTPError, msgspec.DecodeError, msgspec.ValidationError, ValueError) as error:
        logger.debug("no NIP-11 document from %s: %s", relay_url, error)
        return None
