"""Field types shared by routes: one rule, enforced and documented in `/schema` alike.

A rule on a list's items needs both markers: msgspec enforces `msgspec.Meta`, while Litestar's
schema generator reads item rules only from its own `Body(...)`.
"""

from typing import Annotated

import msgspec
from litestar.params import Body, Parameter

from domain.nostr.nip19 import PUBKEY_TEXT_PATTERN

PUBKEY_DESCRIPTION = "64 hex characters or an npub"
# The pattern cannot express an npub's checksum; the format names the whole rule (NIP-19), and an npub
# that fails its checksum is answered 422.
PUBKEY_FORMAT = "nostr-pubkey"
_EXTRA = {"format": PUBKEY_FORMAT}

# A pubkey inside a request body (a Struct field, or an item of a list field).
PubkeyText = Annotated[
    str,
    msgspec.Meta(pattern=PUBKEY_TEXT_PATTERN, description=PUBKEY_DESCRIPTION),
    Body(pattern=PUBKEY_TEXT_PATTERN, description=PUBKEY_DESCRIPTION, schema_extra=_EXTRA),
]
# A pubkey in the path or the query.
PubkeyParameter = Annotated[
    str, Parameter(pattern=PUBKEY_TEXT_PATTERN, description=PUBKEY_DESCRIPTION, schema_extra=_EXTRA)
]
