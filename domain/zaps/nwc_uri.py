"""Nostr Wallet Connect (NIP-47) connection strings: `nostr+walletconnect://<pubkey>?relay=...&secret=...`."""

from urllib.parse import parse_qs, urlencode, urlsplit

import msgspec

from domain.nostr.pubkeys import is_hex_pubkey
from domain.nostr.signing import public_key_of
from domain.shared.errors import InvalidInput

SCHEME = "nostr+walletconnect"


class NwcUri(msgspec.Struct, frozen=True, kw_only=True):
    """A parsed connection string. `secret` is the client key the wallet granted: never show or log it."""

    wallet_pubkey: str
    relays: tuple[str, ...]
    secret: str
    lud16: str | None = None

    @property
    def client_pubkey(self) -> str:
        """The public key of `secret`: the author of our requests, the `p` of the wallet's answers."""
        return public_key_of(self.secret)

    def __repr__(self) -> str:
        return f"NwcUri(wallet_pubkey={self.wallet_pubkey!r}, relays={self.relays!r}, secret=<hidden>)"


def _refuse(reason: str) -> InvalidInput:
    return InvalidInput(f"invalid nwc_url: {reason}", {"nwc_url": reason})


def parse_nwc_uri(value: str) -> NwcUri:
    """Parses a connection string; InvalidInput (never echoing the secret) when it is malformed."""
    parts = urlsplit(value.strip()) if isinstance(value, str) else None
    if parts is None or parts.scheme != SCHEME:
        raise _refuse(f"the scheme must be {SCHEME}://")
    wallet_pubkey = (parts.netloc or parts.path.lstrip("/")).lower()
    if not is_hex_pubkey(wallet_pubkey):
        raise _refuse("the wallet pubkey must be 64 hex characters")
    query = parse_qs(parts.query)
    relays = tuple(query.get("relay", []))
    if not relays or any(urlsplit(relay).scheme not in ("ws", "wss") for relay in relays):
        raise _refuse("at least one ws:// or wss:// relay is required")
    secrets = query.get("secret", [])
    if len(secrets) != 1 or not is_hex_pubkey(secrets[0].lower()):
        raise _refuse("the secret must be 64 hex characters")
    try:
        public_key_of(secrets[0].lower())
    except ValueError as error:
        raise _refuse("the secret is not a valid key") from error
    lud16 = query.get("lud16", [None])[0]
    return NwcUri(wallet_pubkey=wallet_pubkey, relays=relays, secret=secrets[0].lower(), lud16=lud16)


def format_nwc_uri(uri: NwcUri) -> str:
    """The connection string of a parsed one (relay URLs percent-encoded)."""
    query = [("relay", relay) for relay in uri.relays] + [("secret", uri.secret)]
    if uri.lud16:
        query.append(("lud16", uri.lud16))
    return f"{SCHEME}://{uri.wallet_pubkey}?{urlencode(query)}"
