"""NIP-85 answers: the assertion just published, and the provider card for kind 10040."""

import msgspec

from domain.nostr.nip19 import encode_npub
from domain.wot.assertion import ASSERTION_KIND, ProviderCard


class AssertionResponse(msgspec.Struct):
    event_id: str
    kind: int
    relays: list[str]
    published: bool

    @classmethod
    def of(cls, event_id: str, relays: tuple[str, ...], published: bool) -> "AssertionResponse":
        return cls(event_id=event_id, kind=ASSERTION_KIND, relays=list(relays), published=published)


class ProviderResponse(msgspec.Struct):
    pubkey: str
    npub: str
    relays: list[str]
    tag_10040: list[str]

    @classmethod
    def of(cls, card: ProviderCard) -> "ProviderResponse":
        return cls(
            pubkey=card.pubkey,
            npub=encode_npub(card.pubkey),
            relays=list(card.relays),
            tag_10040=card.tag_10040,
        )
