"""Field types shared by routes: one rule, enforced and documented in `/schema` alike.

A rule on a list's items needs both markers: msgspec enforces `msgspec.Meta`, while Litestar's
schema generator reads item rules only from its own `Body(...)`.

A rule a pattern cannot hold whole is named by a `format` in the document, described here:
- `nostr-pubkey`: 64 hex characters, or an npub (NIP-19) whose checksum holds;
- `custom-domain`: a public DNS name of at least two labels, IDNA (UTS 46) accepted; neither an IP
  address nor a special-use or reserved name (`localhost`, `.local`, `.test`, `.onion`, ...), and
  its top-level label not numeric;
- `nwc-url`: a NIP-47 connection string, `nostr+walletconnect://<wallet pubkey hex>?relay=<ws:// or
  wss:// URL>&secret=<64 hex, a valid secp256k1 key>` (more relays and `lud16` allowed);
A value that breaks the named rule is answered 422.
"""

import re
from typing import Annotated

import msgspec
from litestar.params import Body, Parameter, QueryParameter

from domain.names.custom_domains import CUSTOM_DOMAIN_PATTERN
from domain.names.nip05 import MAX_NAME_LENGTH, NAME_PATTERN
from domain.nostr.nip19 import PUBKEY_TEXT_PATTERN, parse_pubkey
from domain.shared.errors import InvalidInput
from domain.shared.paging import CURSOR_PATTERN, PageCursor, parse_page_cursor

PUBKEY_DESCRIPTION = "64 hex characters or an npub"
_PUBKEY_TEXT_SHAPE = re.compile(PUBKEY_TEXT_PATTERN)
PUBKEY_FORMAT = "nostr-pubkey"
_EXTRA = {"format": PUBKEY_FORMAT}

# A pubkey inside a request body (a Struct field, or an item of a list field).
PubkeyText = Annotated[
    str,
    msgspec.Meta(pattern=PUBKEY_TEXT_PATTERN, description=PUBKEY_DESCRIPTION),
    Body(pattern=PUBKEY_TEXT_PATTERN, description=PUBKEY_DESCRIPTION, schema_extra=_EXTRA),
]
# A pubkey as a Struct field whose own __post_init__ checks it with `is_pubkey_text`: its schema keeps
# the format, which a field carrying msgspec.Meta loses.
PubkeyField = Annotated[
    str, Body(pattern=PUBKEY_TEXT_PATTERN, description=PUBKEY_DESCRIPTION, schema_extra=_EXTRA)
]


def is_pubkey_text(value: str) -> bool:
    """64 hex characters, or an npub whose checksum holds."""
    if _PUBKEY_TEXT_SHAPE.fullmatch(value) is None:
        return False
    try:
        parse_pubkey(value)
    except InvalidInput:
        return False
    return True


# A pubkey in the path or the query.
PubkeyParameter = Annotated[
    str, Parameter(pattern=PUBKEY_TEXT_PATTERN, description=PUBKEY_DESCRIPTION, schema_extra=_EXTRA)
]

DOMAIN_FORMAT = "custom-domain"
DOMAIN_DESCRIPTION = "a public DNS name; international names are accepted"
# A domain a user brings, inside a request body.
DomainText = Annotated[
    str,
    msgspec.Meta(min_length=1, max_length=253, pattern=CUSTOM_DOMAIN_PATTERN, description=DOMAIN_DESCRIPTION),
    Body(
        min_length=1,
        max_length=253,
        pattern=CUSTOM_DOMAIN_PATTERN,
        description=DOMAIN_DESCRIPTION,
        schema_extra={"format": DOMAIN_FORMAT},
    ),
]

# The `cursor` query parameter of a list: the `next_cursor` of the page before.
CursorParameter = Annotated[
    str | None, Parameter(pattern=CURSOR_PATTERN, description="the next_cursor of the page before")
]
# The `limit` query parameter of a list.
Limit = Annotated[int, QueryParameter(ge=1, le=200, description="page size, at most 200")]


def decode_cursor(value: str | None) -> PageCursor | None:
    return parse_page_cursor(value) if value else None


NWC_URL_FORMAT = "nwc-url"
NWC_URL_PATTERN = r"^nostr\+walletconnect://[^?/#]+\?[^#]+$"
MAX_NWC_URL_LENGTH = 4096
NWC_URL_DESCRIPTION = "a Nostr Wallet Connect (NIP-47) connection string"
# The connection string a user pastes to connect their wallet.
NwcUrlText = Annotated[
    str,
    msgspec.Meta(max_length=MAX_NWC_URL_LENGTH, pattern=NWC_URL_PATTERN, description=NWC_URL_DESCRIPTION),
    Body(
        max_length=MAX_NWC_URL_LENGTH,
        pattern=NWC_URL_PATTERN,
        description=NWC_URL_DESCRIPTION,
        schema_extra={"format": NWC_URL_FORMAT},
    ),
]

NAME_DESCRIPTION = "a-z, 0-9, '-', '_' and '.'; lowercased"
# A NIP-05 name inside a request body (an item of a list field), lowercased before use.
NameText = Annotated[
    str,
    msgspec.Meta(
        min_length=1, max_length=MAX_NAME_LENGTH, pattern=NAME_PATTERN, description=NAME_DESCRIPTION
    ),
    Body(min_length=1, max_length=MAX_NAME_LENGTH, pattern=NAME_PATTERN, description=NAME_DESCRIPTION),
]
