"""Nostr sign-in: a kind-22242 event (NIP-42 shape) answering one of our challenges for our URL."""

from datetime import datetime

from domain.nostr.event import Event
from domain.nostr.signing import verify_event
from domain.shared.errors import Unauthorized

SIGN_IN_KIND = 22242
# How far created_at may be from the server's time, either way (NIP-42 suggests about 10 minutes).
WINDOW_SECONDS = 600
SINGLE_TAGS = ("challenge", "relay")


class SignInRefused(Unauthorized):
    """A sign-in event was refused; the message says which check failed."""


def _single_tags(event: Event) -> dict[str, str]:
    found: dict[str, str] = {}
    for tag in event.tags:
        if not tag or tag[0] not in SINGLE_TAGS:
            continue
        if len(tag) < 2 or not tag[1]:
            raise SignInRefused(f"sign-in: the {tag[0]} tag has no value")
        if tag[0] in found:
            raise SignInRefused(f"sign-in: the {tag[0]} tag appears more than once")
        found[tag[0]] = tag[1]
    return found


def check_sign_in_event(event: Event, *, public_url: str, now: datetime) -> str:
    """The challenge the event answers, once its kind, time, tags, id and signature are right."""
    if event.kind != SIGN_IN_KIND:
        raise SignInRefused(f"sign-in: the event kind must be {SIGN_IN_KIND}")
    if abs(int(now.timestamp()) - event.created_at) > WINDOW_SECONDS:
        raise SignInRefused(f"sign-in: created_at is more than {WINDOW_SECONDS} s from the server's time")
    tags = _single_tags(event)
    if "challenge" not in tags:
        raise SignInRefused("sign-in: the challenge tag is missing")
    if "relay" not in tags:
        raise SignInRefused("sign-in: the relay tag is missing")
    if tags["relay"].rstrip("/") != public_url.rstrip("/"):
        raise SignInRefused("sign-in: the relay tag must be this service's public URL")
    if not verify_event(event):
        raise SignInRefused("sign-in: the event id or signature is not valid")
    return tags["challenge"]
