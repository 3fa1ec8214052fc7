"""NIP-11 relay information: the limits a relay announces and whether it supports COUNT (NIP-45)."""

import logging

import httpx
import msgspec

logger = logging.getLogger(__name__)


class Limitation(msgspec.Struct, frozen=True):
    max_limit: int | None = None
    max_filters: int | None = None
    max_subscriptions: int | None = None
    max_message_length: int | None = None
    auth_required: bool = False


class RelayInformation(msgspec.Struct, frozen=True):
    supported_nips: list[int] | None = None
    limitation: Limitation = msgspec.field(default_factory=Limitation)

    @property
    def supports_count(self) -> bool | None:
        """True or False when the document lists its NIPs; None when it does not say."""
        if self.supported_nips is None:
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
