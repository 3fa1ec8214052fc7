"""NIP-57 zap receipts (kind 9735), signed by the service key that the payRequest names."""

import msgspec

from domain.nostr.event import Event
from domain.nostr.signing import sign_event

ZAP_RECEIPT_KIND = 9735


def zap_receipt(
    service_secret_key: str, *, zap_request: str, bolt11: str, paid_at: int, preimage: str | None
) -> Event:
    """The receipt of a paid zap: `p`, `e`/`a` copied from the request, `P` the sender, `bolt11`,
    `description` (the request JSON as received) and `preimage`; `created_at` is the paid time.

    Built from the same inputs it has the same id, so relays keep one event however often it is sent.
    """
    request = msgspec.json.decode(zap_request, type=Event)
    copied = [list(tag) for tag in request.tags if tag and tag[0] in ("p", "e", "a")]
    tags = [*copied, ["P", request.pubkey], ["bolt11", bolt11], ["description", zap_request]]
    if preimage:
        tags.append(["preimage", preimage])
    return sign_event(service_secret_key, kind=ZAP_RECEIPT_KIND, tags=tags, content="", created_at=paid_at)
