"""Ports of names: NIP-05 names, custom domains, name holds (semantics in
domain.shared.unit_of_work), and the DNS port: TXT lookups for domain verification."""

from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.names.custom_domains import CustomDomain
from domain.names.nip05 import Nip05
from domain.names.transfers import TransferOffer
from domain.shared.errors import DependencyUnavailable
from domain.shared.paging import PageCursor


class DnsLookupFailed(DependencyUnavailable):
    """The resolvers did not answer in time, or answered with a server failure."""


class DnsResolver(Protocol):
    """Looks up TXT records through the configured resolvers only, each lookup bounded in time."""

    async def txt_records(self, name: str) -> list[str]:
        """The TXT strings at `name` (the character-strings of one record joined); an empty list
        when the name or the record type does not exist. Raises DnsLookupFailed otherwise."""
        ...


class Nip05Repository(Protocol):
    """NIP-05 names; a name is unique per domain, case-insensitively."""

    async def add(self, nip05: Nip05) -> None: ...

    async def get(self, nip05_id: UUID) -> Nip05 | None: ...

    async def get_for_update(self, nip05_id: UUID) -> Nip05 | None:
        """The record, locked until the end of the transaction."""
        ...

    async def find_lookalike(
        self, fold: str, domain: str, other_than: UUID | None, excluding: UUID | None = None
    ) -> Nip05 | None:
        """A name on the domain, not released, whose fold (domain.names.folding.fold_name) is `fold`,
        held by an account other than `other_than` (any account when None), other than the record
        `excluding`. Two accounts never both hold names of one fold
        on one domain: an `add` or `update` that would make it so raises Conflict."""
        ...

    async def find(self, name: str, domain: str) -> Nip05 | None:
        """The record for name@domain, whatever its status, matched case-insensitively."""
        ...

    async def list_for_user(self, user_id: UUID) -> list[Nip05]:
        """The user's names, oldest first."""
        ...

    async def list_for_domain(self, domain: str) -> list[Nip05]:
        """Every name on the domain whatever its status, matched case-insensitively, by name."""
        ...

    async def delete_for_user_on_domain(self, user_id: UUID, domain: str) -> list[str]:
        """Removes every name the user holds on the domain, whatever its status; their names."""
        ...

    async def delete_for_others_on_domain(self, domain: str, user_id: UUID) -> list[str]:
        """Removes every name on the domain held by anyone but the user, whatever its status;
        their names."""
        ...

    async def list_held_names(self, domain: str) -> list[str]:
        """The names (lowercase) on the domain that are not released, whatever else their status."""
        ...

    async def list_active_pubkeys(self) -> list[str]:
        """The distinct pubkeys that active names point to, in order."""
        ...

    async def update(self, nip05: Nip05) -> None:
        """Stores the record's new state; raises NotFound when it was never added."""
        ...

    async def delete(self, nip05_id: UUID) -> bool:
        """Removes the name; True when it existed."""
        ...


class CustomDomainRepository(Protocol):
    """Custom domains and their verification state."""

    async def add(self, domain: CustomDomain) -> None: ...

    async def get(self, domain_id: UUID) -> CustomDomain | None: ...

    async def find_verified(self, domain: str) -> CustomDomain | None:
        """The verified claim on a domain name, matched case-insensitively."""
        ...

    async def list_claims(self, domain: str) -> list[CustomDomain]:
        """Every user's claim on a domain name, matched case-insensitively, locked until the end of
        the transaction."""
        ...

    async def list_verified_names(self) -> list[str]:
        """Every verified domain name, lowercase."""
        ...

    async def list_for_user(self, user_id: UUID) -> list[CustomDomain]:
        """The user's domains, oldest first."""
        ...

    async def list_due_for_check(self, checked_before: datetime, limit: int) -> list[CustomDomain]:
        """Domains never checked or last checked before the given time, least recently checked
        first."""
        ...

    async def update(self, domain: CustomDomain) -> None:
        """Stores the record's new state; raises NotFound when it was never added."""
        ...

    async def delete(self, domain_id: UUID) -> bool:
        """Removes the domain; True when it existed."""
        ...


class NameHoldRepository(Protocol):
    """NIP-05 names suspended by billing (a lapsed subscription, or a name waiting on payment), so
    that a settled payment reactivates exactly those and never a name an admin suspended."""

    async def hold(self, nip05_id: UUID, user_id: UUID, now: datetime) -> bool:
        """Records the hold; False when the name was already held."""
        ...

    async def release_for_user(self, user_id: UUID) -> list[UUID]:
        """Removes and returns the ids of every name held for the user."""
        ...


class PendingNameRepository(Protocol):
    """NIP-05 names held (status pending_payment) for a buyer while the payment for them is open."""

    async def hold(self, nip05_id: UUID, payment_id: UUID) -> None:
        """Ties the held name to the payment; Conflict when the name or the payment is unknown."""
        ...

    async def release_for_payment(self, payment_id: UUID) -> list[UUID]:
        """Unties and returns the ids of the names held for the payment."""
        ...


class TransferOfferRepository(Protocol):
    """Open transfer offers of names; an offer is open until it is accepted, canceled or its name
    moves (then it is deleted), or it expires."""

    async def add(self, offer: TransferOffer) -> None: ...

    async def get(self, offer_id: UUID) -> TransferOffer | None: ...

    async def claim(self, offer_id: UUID, to_pubkey: str) -> TransferOffer | None:
        """Deletes and returns the offer made to `to_pubkey`; None when there is no such open
        offer. Of concurrent claims of one offer exactly one gets it."""
        ...

    async def delete_for_name(self, nip05_id: UUID) -> int:
        """Deletes every offer of the name; how many there were."""
        ...

    async def delete_expired_for_name(self, nip05_id: UUID, now: datetime) -> int:
        """Deletes the name's offers that expired by `now`; how many there were."""
        ...

    async def count_open(self, nip05_id: UUID, now: datetime) -> int:
        """How many offers of the name have not expired."""
        ...

    async def cancel(self, offer_id: UUID, from_user_id: UUID) -> bool:
        """Deletes the offer when `from_user_id` made it; True when it did."""
        ...

    async def list_open(
        self, user_id: UUID, pubkey: str, now: datetime, after: PageCursor | None, limit: int
    ) -> list[TransferOffer]:
        """The offers the user made or that were made to the pubkey, not expired at `now`, strictly
        after the cursor, oldest first, at most `limit`."""
        ...
