"""Private messages from the service to an account's key (NIP-17, signed by the service key), sent
to the relays of the recipient's kind-10050 list, else to the service's relays."""

import logging

from domain.nostr.nip17 import DM_RELAYS_KIND, direct_message, dm_relays
from domain.nostr.ports import EventPublisher, RelayPort, RelayUnavailable
from domain.shared.clock import Clock

log = logging.getLogger(__name__)


class MessageNotDelivered(Exception):
    """No relay accepted the message."""


class SendDirectMessage:
    """Sends one message; raises MessageNotDelivered (or the relays' DependencyUnavailable) when no
    relay took it."""

    def __init__(self, relay: RelayPort, publisher: EventPublisher, clock: Clock, service_key: str) -> None:
        self._relay = relay
        self._publisher = publisher
        self._clock = clock
        self._service_key = service_key

    async def __call__(self, pubkey: str, text: str) -> None:
        message = direct_message(self._service_key, pubkey, text, now=int(self._clock.now().timestamp()))
        relays = await self._dm_relays(pubkey)
        if relays:
            accepted = await self._publisher.publish(relays, message)
        else:
            accepted = await self._relay.publish([message])
        if not accepted:
            raise MessageNotDelivered(f"no relay accepted the message ({len(relays) or 'our'} relays)")

    async def _dm_relays(self, pubkey: str) -> list[str]:
        try:
            lists = await self._relay.latest_replaceable([pubkey], DM_RELAYS_KIND)
        except RelayUnavailable:
            log.warning("the kind-%s list could not be read; using the service's relays", DM_RELAYS_KIND)
            return []
        return dm_relays(lists.get(pubkey))
