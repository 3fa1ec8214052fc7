"""Schemathesis hooks for runs against `nostr-id serve` (loaded through SCHEMATHESIS_HOOKS).

- The formats `/schema` names (adapters/http/fields.py), so schema-valid requests carry values
  that keep each whole rule: pubkeys in either text form (npubs whose checksum holds), custom
  domains the domain rule accepts.
- Signing in: with SCHEMATHESIS_SECRET_KEY set, every request carries a session's bearer token,
  got by the real sign-in (a challenge, then a signed kind-22242 event). A 401 to that token (the
  run signed itself out, or ended its sessions) makes the next request sign in again.
"""

import os
import time

import httpx
import msgspec
import schemathesis
from hypothesis import strategies as st

from adapters.http.fields import DOMAIN_FORMAT, NWC_URL_FORMAT, PUBKEY_FORMAT
from domain.names.custom_domains import parse_custom_domain
from domain.nostr.nip19 import encode_npub
from domain.nostr.signing import sign_event
from domain.shared.errors import InvalidInput

SECRET_KEY_VARIABLE = "SCHEMATHESIS_SECRET_KEY"
BASE_URL_VARIABLE = "SCHEMATHESIS_BASE_URL"

_keys = st.binary(min_size=32, max_size=32).map(bytes.hex)
schemathesis.openapi.format(PUBKEY_FORMAT, st.one_of(_keys, _keys.map(str.upper), _keys.map(encode_npub)))


def _is_custom_domain(value: str) -> bool:
    try:
        parse_custom_domain(value)
    except InvalidInput:
        return False
    return True


schemathesis.openapi.format(
    DOMAIN_FORMAT,
    st.from_regex(r"\A[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?(\.[a-z0-9]{1,10}){0,2}\.[a-z]{2,8}\Z").filter(
        _is_custom_domain
    ),
)

# A connection string the rule accepts, to a wallet relay nobody listens on (port 9, discard).
_SECP256K1_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_secrets = st.integers(min_value=1, max_value=_SECP256K1_ORDER - 1).map(lambda key: f"{key:064x}")
schemathesis.openapi.format(
    NWC_URL_FORMAT,
    st.builds(
        lambda wallet, secret: (
            f"nostr+walletconnect://{wallet}?relay=ws%3A%2F%2F127.0.0.1%3A9&secret={secret}"
        ),
        _keys,
        _secrets,
    ),
)


def sign_in(base_url: str, secret_key: str) -> dict:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        challenge = client.post("/api/v1/auth/challenge")
        challenge.raise_for_status()
        event = sign_event(
            secret_key,
            kind=22242,
            tags=[["relay", base_url], ["challenge", challenge.json()["challenge"]]],
            content="",
            created_at=int(time.time()),
        )
        login = client.post("/api/v1/auth/login", json={"event": msgspec.to_builtins(event)})
        login.raise_for_status()
        return login.json()


class _Session:
    """The access token every request carries, until an answer shows the run ended its session."""

    token: str | None = None


if os.environ.get(SECRET_KEY_VARIABLE):

    @schemathesis.auth(refresh_interval=None)
    class SignedIn:
        def get(self, case, context):
            if _Session.token is None:
                base_url, secret_key = os.environ[BASE_URL_VARIABLE], os.environ[SECRET_KEY_VARIABLE]
                _Session.token = sign_in(base_url, secret_key)["access_token"]
            return _Session.token

        def set(self, case, data, context):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    @schemathesis.hook
    def after_call(context, case, response):
        """A 401 to the token (the run signed itself out, or ended its sessions): sign in again."""
        if (
            response.status_code == 401
            and (case.headers or {}).get("Authorization") == f"Bearer {_Session.token}"
        ):
            _Session.token = None
