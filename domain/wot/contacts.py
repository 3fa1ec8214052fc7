"""Reading follows out of NIP-02 contact lists (kind 3)."""

import re

from domain.nostr.event import Event

CONTACTS_KIND = 3
PROFILE_KIND = 0
NOTE_KIND = 1

_HEX_PUBKEY = re.compile(r"[0-9a-f]{64}")


def is_hex_pubkey(value: str) -> bool:
    return _HEX_PUBKEY.fullmatch(value) is not None


def followed_pubkeys(contact_list: Event | None) -> list[str]:
    """Distinct valid pubkeys a contact list follows, in list order, the author excluded.

    A `p` tag counts when its second element is a 64-char lowercase hex key; anything else
    (a missing value, uppercase, an npub, extra garbage) is ignored rather than guessed at.
    """
    if contact_list is None or contact_list.kind != CONTACTS_KIND:
        return []
    seen: dict[str, None] = {}
    for tag in contact_list.tags:
        if len(tag) >= 2 and tag[0] == "p" and is_hex_pubkey(tag[1]) and tag[1] != contact_list.pubkey:
            seen.setdefault(tag[1], None)
    return list(seen)


def newest(events: list[Event]) -> Event | None:
    """The replaceable-event winner: newest `created_at`, lowest id on a tie."""
    if not events:
        return None
    return min(events, key=lambda event: (-event.created_at, event.id))
