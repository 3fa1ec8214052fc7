"""Reading follows out of NIP-02 contact lists (kind 3)."""

from domain.nostr.event import Event
from domain.nostr.pubkeys import is_hex_pubkey

CONTACTS_KIND = 3
PROFILE_KIND = 0
NOTE_KIND = 1


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
