"""The pure rules of NIP-98 and Nostr sign-in, and what a principal may do."""

import hashlib
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from domain.auth.nip98 import Nip98Refused, check_http_auth, decode_http_auth
from domain.auth.principal import CredentialKind, Principal
from domain.auth.sign_in import SignInRefused, check_sign_in_event
from domain.auth.users import UserRole
from domain.nostr.signing import generate_secret_key, sign_event

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
URL = "https://id.example/api/v1/me?x=1"


def _http(tags, *, created_at=None, kind=27235):
    at = int(NOW.timestamp()) if created_at is None else created_at
    return sign_event(generate_secret_key(), kind=kind, tags=tags, content="", created_at=at)


def test_n2_a_matching_event_passes():
    check_http_auth(_http([["u", URL], ["method", "GET"]]), url=URL, method="get", body=b"", now=NOW)


@pytest.mark.parametrize("seconds", [-60, 60])
def test_n2_the_window_is_60_seconds_inclusive(seconds):
    event = _http([["u", URL], ["method", "GET"]], created_at=int(NOW.timestamp()) + seconds)
    check_http_auth(event, url=URL, method="GET", body=b"", now=NOW)


@pytest.mark.parametrize("seconds", [-61, 61])
def test_n2_beyond_60_seconds_either_way_is_refused(seconds):
    event = _http([["u", URL], ["method", "GET"]], created_at=int(NOW.timestamp()) + seconds)
    with pytest.raises(Nip98Refused, match="created_at"):
        check_http_auth(event, url=URL, method="GET", body=b"", now=NOW)


def test_n3_the_payload_is_the_sha256_of_the_exact_body():
    body = b'{"a": 1}'
    event = _http([["u", URL], ["method", "POST"], ["payload", hashlib.sha256(body).hexdigest()]])
    check_http_auth(event, url=URL, method="POST", body=body, now=NOW)
    with pytest.raises(Nip98Refused, match="payload tag does not match"):
        check_http_auth(event, url=URL, method="POST", body=b'{"a":1}', now=NOW)


def test_n2_tags_other_than_u_method_and_payload_are_ignored():
    event = _http([["u", URL], ["method", "GET"], ["t"], ["x", "1"], ["x", "2"]])
    check_http_auth(event, url=URL, method="GET", body=b"", now=NOW)


def test_an_undecodable_header_is_refused():
    for value in ("", "not base64!", "W10=", "e30="):  # "", junk, [], {}
        with pytest.raises(Nip98Refused):
            decode_http_auth(value)


def test_a_sign_in_event_names_its_challenge_and_accepts_a_trailing_slash_on_the_relay():
    event = sign_event(
        generate_secret_key(),
        kind=22242,
        tags=[["relay", "https://id.example/"], ["challenge", "c" * 64]],
        content="",
        created_at=int(NOW.timestamp()),
    )
    assert check_sign_in_event(event, public_url="https://id.example", now=NOW) == "c" * 64
    with pytest.raises(SignInRefused, match="public URL"):
        check_sign_in_event(event, public_url="https://other.example", now=NOW)


def _principal(credential, role=UserRole.USER, scopes=frozenset()):
    return Principal(user_id=uuid4(), pubkey="a" * 64, role=role, credential=credential, scopes=scopes)


def test_a_user_holds_every_scope_and_an_api_key_only_its_own():
    assert _principal(CredentialKind.BEARER).holds("wot:read")
    assert _principal(CredentialKind.NOSTR).holds("nip05:read")
    key = _principal(CredentialKind.API_KEY, scopes=frozenset({"wot:read"}))
    assert key.holds("wot:read")
    assert not key.holds("nip05:read")


def test_an_api_key_of_an_admin_does_not_act_as_admin():
    assert _principal(CredentialKind.BEARER, UserRole.ADMIN).is_admin
    assert not _principal(CredentialKind.API_KEY, UserRole.ADMIN).is_admin
