"""NIP-98 HTTP auth: a kind-27235 event signed for one request (URL, method, body), briefly valid.

Every check names what failed, without repeating the URL the service expected.
"""

import base64
import binascii
import hashlib
from datetime import datetime

import msgspec

from domain.nostr.event import Event
from domain.nostr.signing import verify_event
from domain.shared.errors import Unauthorized

HTTP_AUTH_KIND = 27235
WINDOW_SECONDS = 60
MAX_HEADER_LENGTH = 16_384
SINGLE_TAGS = ("u", "method", "payload")

_decoder = msgspec.json.Decoder(Event)


class Nip98Refused(Unauthorized):
    """A NIP-98 authorization was refused; the message says which check failed."""


def decode_http_auth(encoded: str) -> Event:
    """The event inside `Authorization: Nostr <base64>`."""
    if len(encoded) > MAX_HEADER_LENGTH:
        raise Nip98Refused("NIP-98: the event is too large")
    try:
        raw = base64.b64decode(encoded.strip(), validate=True)
        return _decoder.decode(raw)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise Nip98Refused("NIP-98: the authorization is not base64 of a JSON Nostr event") from None


def _single_tags(event: Event) -> dict[str, str]:
    found: dict[str, str] = {}
    for tag in event.tags:
        if not tag or tag[0] not in SINGLE_TAGS:
            continue
        name = tag[0]
        if len(tag) < 2 or not tag[1]:
            raise Nip98Refused(f"NIP-98: the {name} tag has no value")
        if name in found:
            raise Nip98Refused(f"NIP-98: the {name} tag appears more than once")
        found[name] = tag[1]
    return found


def check_http_auth(event: Event, *, url: str, method: str, body: bytes, now: datetime) -> None:
    """Raises Nip98Refused unless the event authorizes this very request at this time."""
    if event.kind != HTTP_AUTH_KIND:
        raise Nip98Refused(f"NIP-98: the event kind must be {HTTP_AUTH_KIND}")
    if abs(int(now.timestamp()) - event.created_at) > WINDOW_SECONDS:
        raise Nip98Refused(f"NIP-98: created_at is more than {WINDOW_SECONDS} s from the server's time")
    tags = _single_tags(event)
    if "u" not in tags:
        raise Nip98Refused("NIP-98: the u tag is missing")
    if tags["u"] != url:
        raise Nip98Refused("NIP-98: the u tag does not match the request URL")
    if "method" not in tags:
        raise Nip98Refused("NIP-98: the method tag is missing")
    if tags["method"] != method.upper():
        raise Nip98Refused("NIP-98: the method tag does not match the request method")
    if body or "payload" in tags:
        if "payload" not in tags:
            raise Nip98Refused("NIP-98: a request with a body needs a payload tag")
        if tags["payload"] != hashlib.sha256(body).hexdigest():
            raise Nip98Refused("NIP-98: the payload tag does not match the SHA-256 of the body")
    if not verify_event(event):
        raise Nip98Refused("NIP-98: the event id or signature is not valid")
