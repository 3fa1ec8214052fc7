"""NIP-57 zap requests (kind 9734) as an LNURL-pay callback receives them, checked before any invoice."""

import hashlib

import msgspec

from domain.nostr.event import Event
from domain.nostr.pubkeys import is_hex_pubkey
from domain.nostr.signing import verify_event
from domain.shared.errors import InvalidInput

ZAP_REQUEST_KIND = 9734


def _is_coordinate(value: str) -> bool:
    """An addressable event's coordinate: `<kind>:<author pubkey>:<d tag>`."""
    kind, _, rest = value.partition(":")
    author, separator, _ = rest.partition(":")
    return kind.isascii() and kind.isdigit() and bool(separator) and is_hex_pubkey(author)


_decoder = msgspec.json.Decoder(Event)


class ZapRequest(msgspec.Struct, frozen=True, kw_only=True):
    """A checked zap request: the event, the JSON exactly as received, and what the receipt copies."""

    event: Event
    json: str
    recipient: str
    relays: tuple[str, ...]
    event_tag: tuple[str, ...] | None
    address_tag: tuple[str, ...] | None

    @property
    def description_hash(self) -> str:
        """SHA-256 hex of the JSON as received: the invoice's description hash (NIP-57)."""
        return hashlib.sha256(self.json.encode("utf-8")).hexdigest()


def _refuse(reason: str) -> InvalidInput:
    return InvalidInput(f"invalid zap request: {reason}", {"nostr": reason})


def _tags(event: Event, name: str) -> list[tuple[str, ...]]:
    return [tag for tag in event.tags if tag and tag[0] == name]


def parse_zap_request(raw: str, *, recipient: str, amount_msat: int) -> ZapRequest:
    """Checks a zap request as NIP-57 (appendix D) says; InvalidInput names the rule it breaks.

    Valid signature and kind 9734; exactly one `p`, equal to the recipient; at most one `e`, at most
    one `a` (an event coordinate), at most one `P`; a `relays` tag naming at least one relay; an
    `amount` tag, when present, equal to the amount asked.
    """
    try:
        event = _decoder.decode(raw)
    except (msgspec.DecodeError, UnicodeDecodeError) as error:
        raise _refuse("not a JSON Nostr event") from error
    if event.kind != ZAP_REQUEST_KIND:
        raise _refuse(f"kind must be {ZAP_REQUEST_KIND}")
    if not verify_event(event):
        raise _refuse("id or signature does not verify")
    p_tags = _tags(event, "p")
    if len(p_tags) != 1 or len(p_tags[0]) < 2 or not is_hex_pubkey(p_tags[0][1]):
        raise _refuse("exactly one p tag with a hex pubkey is required")
    if p_tags[0][1] != recipient:
        raise _refuse("the p tag does not name this address's owner")
    e_tags, a_tags = _tags(event, "e"), _tags(event, "a")
    if len(e_tags) > 1 or (e_tags and (len(e_tags[0]) < 2 or not is_hex_pubkey(e_tags[0][1]))):
        raise _refuse("at most one e tag with a hex event id")
    if len(a_tags) > 1 or (a_tags and (len(a_tags[0]) < 2 or not _is_coordinate(a_tags[0][1]))):
        raise _refuse("at most one a tag with an event coordinate")
    upper_p = _tags(event, "P")
    if len(upper_p) > 1:
        raise _refuse("at most one P tag")
    relays_tags = _tags(event, "relays")
    if len(relays_tags) != 1 or len(relays_tags[0]) < 2:
        raise _refuse("a relays tag naming at least one relay is required")
    amounts = _tags(event, "amount")
    if len(amounts) > 1 or (amounts and (len(amounts[0]) < 2 or amounts[0][1] != str(amount_msat))):
        raise _refuse("the amount tag differs from the amount asked")
    return ZapRequest(
        event=event,
        json=raw,
        recipient=recipient,
        relays=tuple(relays_tags[0][1:]),
        event_tag=e_tags[0] if e_tags else None,
        address_tag=a_tags[0] if a_tags else None,
    )
