"""Transfer of a name to another pubkey (N6): offered by its owner, taken by the receiver's accept.

The name moves in one transaction that locks it: of concurrent accepts (of one offer, or of two
offers for one name) exactly one wins. The receiver's plan quota and the look-alike rule (N9) apply
to the receiver; both sides are audited; every process stops serving the old answer within a second
(the names' one invalidation path, `NameChanges`).
"""

from uuid import UUID

from msgspec import Struct

from application.names.changes import NameChanges
from application.names.manage_names import check_name_quota, lookalike_of_another
from domain.audit.entries import NO_ORIGIN, Actor, AuditLog
from domain.billing.plans import PlanCatalog
from domain.names.nip05 import Nip05, Nip05Status, lookalike_refusal, parse_serving_domain
from domain.names.transfers import (
    MAX_OPEN_OFFERS,
    TransferOffer,
    check_receiver,
    check_transferable,
)
from domain.nostr.nip19 import parse_pubkey
from domain.shared.clock import Clock
from domain.shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.shared.paging import PageCursor
from domain.shared.unit_of_work import UnitOfWork, UowFactory

OFFERED = "nip05.transfer_offered"
CANCELED = "nip05.transfer_canceled"
ACCEPTED = "nip05.transfer_accepted"
TRANSFERRED_AWAY = "nip05.transferred_away"


def _receiver_pubkey(value: str) -> str:
    try:
        return parse_pubkey(value)
    except InvalidInput:
        raise InvalidInput(
            "to_pubkey must be 64 hex characters or an npub", {"to_pubkey": "not a pubkey"}
        ) from None


class OfferPage(Struct, frozen=True, kw_only=True):
    """Open offers the user made or received, oldest first; `next_cursor` when more follow."""

    items: list[TransferOffer]
    next_cursor: PageCursor | None


class OfferName:
    """Offers one of the user's names to another pubkey, open for seven days."""

    def __init__(self, uow: UowFactory, clock: Clock, default_domain: str) -> None:
        self._uow = uow
        self._clock = clock
        self._default_domain = parse_serving_domain(default_domain)

    async def __call__(self, actor: Actor, name_id: UUID, to_pubkey: str) -> TransferOffer:
        to_pubkey = _receiver_pubkey(to_pubkey)
        now = self._clock.now()
        async with self._uow() as uow:
            record = await uow.nip05_names.get_for_update(name_id)
            if record is None or record.user_id != actor.user_id or record.status is Nip05Status.RELEASED:
                raise NotFound("NIP-05 name not found")
            check_transferable(record, default_domain=self._default_domain)
            check_receiver(record, to_pubkey)
            # Expired offers go when the next is made, so a name keeps at most MAX_OPEN_OFFERS rows.
            await uow.transfer_offers.delete_expired_for_name(record.id, now)
            if await uow.transfer_offers.count_open(record.id, now) >= MAX_OPEN_OFFERS:
                raise Conflict(f"{record.identifier} has {MAX_OPEN_OFFERS} open offers; cancel one first")
            offer = TransferOffer.make(record, to_pubkey, now)
            await uow.transfer_offers.add(offer)
            await uow.audit_log.add(
                AuditLog.record(
                    action=OFFERED,
                    now=now,
                    actor=actor,
                    target=("nip05", record.id),
                    details={"identifier": record.identifier, "offer": str(offer.id), "to_pubkey": to_pubkey},
                )
            )
            await uow.commit()
        return offer


class ListOffers:
    """The open offers the user made or that were made to the user's pubkey, a page at a time."""

    def __init__(self, uow: UowFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(
        self, user_id: UUID, pubkey: str, after: PageCursor | None = None, limit: int = 50
    ) -> OfferPage:
        async with self._uow() as uow:
            found = await uow.transfer_offers.list_open(user_id, pubkey, self._clock.now(), after, limit + 1)
        page = found[:limit]
        following = PageCursor(at=page[-1].created_at, id=page[-1].id) if len(found) > limit else None
        return OfferPage(items=page, next_cursor=following)


class CancelOffer:
    """Withdraws an offer the user made."""

    def __init__(self, uow: UowFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, actor: Actor, offer_id: UUID) -> None:
        async with self._uow() as uow:
            offer = await uow.transfer_offers.get(offer_id)
            if offer is None or offer.from_user_id != actor.user_id:
                raise NotFound("transfer offer not found")
            if not await uow.transfer_offers.cancel(offer_id, offer.from_user_id):
                raise NotFound("transfer offer not found")
            await uow.audit_log.add(
                AuditLog.record(
                    action=CANCELED,
                    now=self._clock.now(),
                    actor=actor,
                    target=("nip05", offer.nip05_id),
                    details={"offer": str(offer.id), "to_pubkey": offer.to_pubkey},
                )
            )
            await uow.commit()


class AcceptOffer:
    """The receiver takes the offered name: it is theirs, pointing at their pubkey, at once."""

    def __init__(
        self, uow: UowFactory, clock: Clock, changes: NameChanges, default_domain: str, catalog: PlanCatalog
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._changes = changes
        self._default_domain = parse_serving_domain(default_domain)
        self._catalog = catalog

    async def __call__(self, actor: Actor, offer_id: UUID) -> Nip05:
        if actor.user_id is None or actor.pubkey is None:
            raise Forbidden("an offer is accepted by its receiver's account")
        async with self._uow() as uow:
            found = await uow.transfer_offers.get(offer_id)
        if found is None or found.to_pubkey != actor.pubkey:
            raise NotFound("transfer offer not found")
        async with self._changes.changing(found.domain, [found.name]), self._uow() as uow:
            moved = await self._move(uow, actor, actor.user_id, actor.pubkey, found)
            await uow.commit()
        return moved

    async def _move(
        self, uow: UnitOfWork, actor: Actor, user_id: UUID, pubkey: str, found: TransferOffer
    ) -> Nip05:
        now = self._clock.now()
        # The name is locked before its offer is claimed: every writer of a name's offers takes the
        # name first, so concurrent accepts queue on the name and never deadlock.
        record = await uow.nip05_names.get_for_update(found.nip05_id)
        offer = await uow.transfer_offers.claim(found.id, pubkey)
        if record is None or offer is None:
            raise Conflict("this transfer offer is no longer open")
        if offer.is_expired(now):
            raise Conflict(f"this transfer offer expired at {offer.expires_at.isoformat()}")
        if record.user_id != offer.from_user_id:
            raise Conflict(f"{record.identifier} has changed hands since the offer was made")
        check_transferable(record, default_domain=self._default_domain)
        receiver = await uow.users.get_for_update(user_id)
        if receiver is None or not receiver.is_active:
            raise Forbidden("this account may not take names")
        await check_name_quota(uow, self._catalog, user_id, now)
        other = await lookalike_of_another(uow, user_id, record.name, record.domain, excluding=record.id)
        if other is not None:
            raise Conflict(lookalike_refusal(record.name, other))
        giver = Actor(user_id=record.user_id, pubkey=record.pubkey, origin=NO_ORIGIN, via="transfer")
        moved = record.transferred_to(user_id, pubkey, now)
        await uow.nip05_names.update(moved)
        await uow.transfer_offers.delete_for_name(record.id)
        details = {
            "identifier": record.identifier,
            "offer": str(offer.id),
            "from_pubkey": record.pubkey,
            "to_pubkey": pubkey,
        }
        for who, action in ((actor, ACCEPTED), (giver, TRANSFERRED_AWAY)):
            await uow.audit_log.add(
                AuditLog.record(
                    action=action, now=now, actor=who, target=("nip05", record.id), details=details
                )
            )
        return moved
