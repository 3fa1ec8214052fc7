"""NIP-17 private direct messages: a kind-14 rumor (unsigned), sealed in a kind-13 event signed by
the sender, gift-wrapped (NIP-59) in a kind-1059 event signed by a one-time key, both NIP-44 v2."""

import secrets
from collections.abc import Iterable

import msgspec

from domain.nostr import nip44
from domain.nostr.event import Event
from domain.nostr.serialization import compute_id
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event

RUMOR_KIND = 14
SEAL_KIND = 13
GIFT_WRAP_KIND = 1059
DM_RELAYS_KIND = 10050
# NIP-59: the seal's and the wrap's times are tweaked up to two days into the past.
TIME_TWEAK_SECONDS = 2 * 24 * 3600
# How many of a list's relays a message is sent to.
MAX_DM_RELAYS = 10


class Rumor(msgspec.Struct, frozen=True):
    """An unsigned event: its id is computed, it carries no signature."""

    id: str
    pubkey: str
    created_at: int
    kind: int
    tags: tuple[tuple[str, ...], ...]
    content: str


def _tweaked(now: int) -> int:
    return now - secrets.randbelow(TIME_TWEAK_SECONDS)


def direct_message(sender_secret: str, recipient: str, content: str, *, now: int) -> Event:
    """The gift wrap of a kind-14 message from the sender's key to the recipient, ready to publish."""
    sender = public_key_of(sender_secret)
    tags = (("p", recipient),)
    rumor = Rumor(
        id=compute_id(sender, now, RUMOR_KIND, tags, content),
        pubkey=sender,
        created_at=now,
        kind=RUMOR_KIND,
        tags=tags,
        content=content,
    )
    seal = sign_event(
        sender_secret,
        kind=SEAL_KIND,
        tags=(),
        content=nip44.encrypt(
            msgspec.json.encode(rumor).decode(), nip44.conversation_key(sender_secret, recipient)
        ),
        created_at=_tweaked(now),
    )
    one_time = generate_secret_key()
    return sign_event(
        one_time,
        kind=GIFT_WRAP_KIND,
        tags=tags,
        content=nip44.encrypt(
            msgspec.json.encode(seal).decode(), nip44.conversation_key(one_time, recipient)
        ),
        created_at=_tweaked(now),
    )


def dm_relays(relay_list: Event | None) -> list[str]:
    """The relays a kind-10050 list names (`relay` tags), in order, without repeats, at most
    MAX_DM_RELAYS."""
    if relay_list is None or relay_list.kind != DM_RELAYS_KIND:
        return []
    named: Iterable[str] = (tag[1] for tag in relay_list.tags if len(tag) >= 2 and tag[0] == "relay")
    return list(dict.fromkeys(url for url in named if url.startswith(("wss://", "ws://"))))[:MAX_DM_RELAYS]
