"""The client's own NIP-01 signing agrees with the service's: ids, signatures, NIP-98 headers."""

import base64
import hashlib
import json
from datetime import UTC, datetime

import msgspec

from client import NostrSigner
from domain.auth.nip98 import check_http_auth, decode_http_auth
from domain.nostr.event import Event
from domain.nostr.signing import public_key_of, verify_event


def test_events_signed_by_the_client_verify_with_the_service_whatever_the_content():
    signer = NostrSigner.generate()
    event = signer.sign(1, [["t", 'quote " and \\ slash'], ["e", "x" * 3]], content="line\nü 🎉\t\x01")

    assert verify_event(msgspec.convert(event, Event))
    assert signer.pubkey == event["pubkey"]


def test_the_pubkey_is_the_x_only_key_of_the_secret():
    secret = hashlib.sha256(b"k").hexdigest()
    assert NostrSigner(secret).pubkey == public_key_of(secret)


def test_a_fixed_aux_rand_gives_the_same_signature():
    signer = NostrSigner.generate()
    first = signer.sign(1, [], created_at=1, aux_rand=bytes(32))
    second = signer.sign(1, [], created_at=1, aux_rand=bytes(32))
    assert first == second


def test_a_nip98_header_with_a_body_passes_the_services_checks():
    signer = NostrSigner.generate()
    body = b'{"name":"crawler"}'
    header = signer.http_authorization("https://id.example.com/api/v1/api-keys", "post", body)

    event = decode_http_auth(header.removeprefix("Nostr "))
    check_http_auth(
        event,
        url="https://id.example.com/api/v1/api-keys",
        method="POST",
        body=body,
        now=datetime.fromtimestamp(event.created_at, UTC),
    )
    assert json.loads(base64.b64decode(header.removeprefix("Nostr ")))["kind"] == 27235
