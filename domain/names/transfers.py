"""Transfer offers: a name's owner offers it to another pubkey, which takes it by accepting (N6).

An offer is open for OFFER_LIFETIME; a name has at most MAX_OPEN_OFFERS open at once. Only an
active, unlocked name on the service's own domain is offered: a custom domain's names are served
only while their owner holds the domain, so they stay with that owner.
"""

from datetime import datetime, timedelta
from uuid import UUID, uuid4

from msgspec import Struct

from domain.names.nip05 import Nip05, Nip05Status
from domain.nostr.pubkeys import parse_hex_pubkey
from domain.shared.errors import Conflict, InvalidInput

OFFER_LIFETIME = timedelta(days=7)
MAX_OPEN_OFFERS = 10


class TransferOffer(Struct, frozen=True, kw_only=True):
    id: UUID
    nip05_id: UUID
    name: str
    domain: str
    from_user_id: UUID
    to_pubkey: str
    created_at: datetime
    expires_at: datetime

    @classmethod
    def make(cls, nip05: Nip05, to_pubkey: str, now: datetime) -> "TransferOffer":
        return cls(
            id=uuid4(),
            nip05_id=nip05.id,
            name=nip05.name,
            domain=nip05.domain,
            from_user_id=nip05.user_id,
            to_pubkey=parse_hex_pubkey(to_pubkey, "to_pubkey"),
            created_at=now,
            expires_at=now + OFFER_LIFETIME,
        )

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at


def check_transferable(nip05: Nip05, *, default_domain: str) -> None:
    """Raises Conflict when the name may not be offered or taken now."""
    if nip05.locked:
        raise Conflict(f"{nip05.identifier} is locked: its owner unlocks it before it can be transferred")
    if nip05.status is not Nip05Status.ACTIVE:
        raise Conflict(f"{nip05.identifier} is {nip05.status.value}; only an active name is transferred")
    if nip05.domain != default_domain:
        raise Conflict(f"names on {nip05.domain} stay with the domain's verified owner")


def check_receiver(nip05: Nip05, to_pubkey: str) -> None:
    if parse_hex_pubkey(to_pubkey, "to_pubkey") == nip05.pubkey:
        raise InvalidInput("a name is offered to another pubkey", {"to_pubkey": "the name's own pubkey"})
