"""Nostr Wallet Connect connection strings."""

import pytest

from domain.nostr.signing import generate_secret_key, public_key_of
from domain.shared.errors import InvalidInput
from domain.zaps.nwc_uri import format_nwc_uri, parse_nwc_uri

WALLET = public_key_of(generate_secret_key())
SECRET = generate_secret_key()


def test_a_connection_string_parses_and_formats_back() -> None:
    uri = parse_nwc_uri(f"nostr+walletconnect://{WALLET}?relay=wss%3A%2F%2Frelay.example&secret={SECRET}")
    assert (uri.wallet_pubkey, uri.relays, uri.secret) == (WALLET, ("wss://relay.example",), SECRET)
    assert uri.client_pubkey == public_key_of(SECRET)
    assert parse_nwc_uri(format_nwc_uri(uri)) == uri


def test_z5_the_secret_never_shows_in_the_repr() -> None:
    uri = parse_nwc_uri(f"nostr+walletconnect://{WALLET}?relay=wss://r.example&secret={SECRET}")
    assert SECRET not in repr(uri)


@pytest.mark.parametrize(
    "value",
    [
        f"nostr+wallet://{WALLET}?relay=wss://r.example&secret={SECRET}",
        f"nostr+walletconnect://xyz?relay=wss://r.example&secret={SECRET}",
        f"nostr+walletconnect://{WALLET}?secret={SECRET}",
        f"nostr+walletconnect://{WALLET}?relay=https://r.example&secret={SECRET}",
        f"nostr+walletconnect://{WALLET}?relay=wss://r.example",
        f"nostr+walletconnect://{WALLET}?relay=wss://r.example&secret={'0' * 64}",
    ],
)
def test_z5_a_malformed_connection_string_is_refused_without_echoing_the_secret(value: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_nwc_uri(value)
    assert SECRET not in str(refused.value)
    assert SECRET not in repr(refused.value.errors)
