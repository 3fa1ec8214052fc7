"""A user's NIP-05 names: register, list, change relays, release, check availability."""

from datetime import datetime
from uuid import UUID

from msgspec import Struct

from application.billing.plans import current_plan
from application.names.changes import NameChanges
from domain.billing.plans import PlanCatalog
from domain.names.custom_domains import CustomDomainStatus
from domain.names.folding import fold_name
from domain.names.nip05 import (
    Nip05,
    Nip05Status,
    lookalike_refusal,
    name_refusal,
    parse_nip05_name,
    parse_registrable_name,
    parse_serving_domain,
)
from domain.shared.clock import Clock
from domain.shared.errors import Conflict, Forbidden, InvalidInput, NotFound, QuotaExceeded
from domain.shared.unit_of_work import UnitOfWork, UowFactory


class Availability(Struct, frozen=True, kw_only=True):
    name: str
    domain: str
    available: bool
    reason: str | None


async def _registering_user(uow: UnitOfWork, user_id: UUID) -> str:
    """The user's pubkey; the user's row stays locked to the end of the transaction, so concurrent
    registrations by one user are counted against the plan's quota one after the other."""
    user = await uow.users.get_for_update(user_id)
    if user is None or not user.is_active:
        raise Forbidden("this account may not register names")
    return user.pubkey


async def check_name_quota(
    uow: UnitOfWork,
    catalog: PlanCatalog,
    user_id: UUID,
    now: datetime,
    adding: int = 1,
    plan_id: str | None = None,
) -> None:
    """Every name the user holds (released ones excepted, names held for a payment included) counts
    against the plan's names quota: the current plan's, or the plan `plan_id` being bought."""
    plan = await current_plan(uow, catalog, user_id, now) if plan_id is None else catalog.get(plan_id)
    held = [n for n in await uow.nip05_names.list_for_user(user_id) if n.status is not Nip05Status.RELEASED]
    if len(held) + adding > plan.quotas.names:
        raise QuotaExceeded(
            f"names quota reached: the {plan.name} plan allows {plan.quotas.names} NIP-05 name(s) "
            f"and you hold {len(held)}; release one or choose a larger plan"
        )


async def _owns_domain(uow: UnitOfWork, user_id: UUID, domain: str, default_domain: str) -> bool:
    """Names on the default domain are open to every user; a custom domain's to its verified owner.
    The domain's claims stay locked to the end of the transaction, so a name is never added while
    another user takes the domain over."""
    if domain == default_domain:
        return False
    claims = await uow.domains.list_claims(domain)
    claim = next((c for c in claims if c.status is CustomDomainStatus.VERIFIED), None)
    if claim is None or claim.user_id != user_id:
        raise Forbidden(f"names on {domain} are registered by its verified owner")
    return True


async def _owned_name(uow: UnitOfWork, user_id: UUID, name_id: UUID) -> Nip05:
    """The user's own name; another user's name is reported as missing, never as forbidden."""
    record = await uow.nip05_names.get(name_id)
    if record is None or record.user_id != user_id or record.status is Nip05Status.RELEASED:
        raise NotFound("NIP-05 name not found")
    return record


async def _editable_name(uow: UnitOfWork, user_id: UUID, name_id: UUID, default_domain: str) -> Nip05:
    """The user's own name, while it is on the default domain or on a custom domain the user holds."""
    record = await _owned_name(uow, user_id, name_id)
    if record.domain != default_domain:
        holder = await uow.domains.find_verified(record.domain)
        if holder is None or holder.user_id != user_id:
            raise Forbidden(f"names on {record.domain} are changed by its current verified owner")
    return record


def _blocks(existing: Nip05, user_id: UUID | None, now: datetime, owns_domain: bool = False) -> bool:
    """Whether an existing record keeps the user from taking its name now. On a custom domain the
    user holds, a name registered under an earlier owner of the domain blocks nothing."""
    if existing.user_id != user_id and owns_domain:
        return False
    if existing.status is Nip05Status.RELEASED and existing.user_id == user_id:
        return False
    return existing.blocks_others(now)


def _taken_reason(existing: Nip05, name: str) -> str:
    if existing.status is Nip05Status.RELEASED:
        return f"{existing.identifier} is already taken"
    return lookalike_refusal(name, existing)


async def lookalike_of_another(
    uow: UnitOfWork, user_id: UUID | None, name: str, domain: str, excluding: UUID | None = None
) -> Nip05 | None:
    """Another account's name on the domain that `name` passes for (N9); None when there is none."""
    return await uow.nip05_names.find_lookalike(fold_name(name), domain, user_id, excluding)


async def take_name(uow: UnitOfWork, record: Nip05, now: datetime, *, owns_domain: bool = False) -> Nip05:
    """Stores the claim `record` of its user on its name, or raises Conflict with the reason it is
    refused: taken, held for another buyer, or passing for another account's name (N9). The unique
    index and the look-alike trigger (migration 0011) decide between concurrent claims; the loser is
    told who won."""
    user_id, name, domain = record.user_id, record.name, record.domain
    existing = await uow.nip05_names.find(name, domain)
    if existing is not None and existing.status is Nip05Status.RELEASED and existing.user_id == user_id:
        if record.status is not Nip05Status.ACTIVE:
            raise Conflict(f"{existing.identifier} was yours: register it again instead")
        reclaimed = existing.reclaim(list(record.relays), now)
        await _stored(uow, reclaimed, owns_domain, update=True)
        return reclaimed
    if existing is not None and _blocks(existing, user_id, now, owns_domain):
        raise Conflict(_taken_reason(existing, name))
    if not owns_domain and (other := await lookalike_of_another(uow, user_id, name, domain)) is not None:
        raise Conflict(lookalike_refusal(name, other))
    if existing is not None:
        await uow.nip05_names.delete(existing.id)
    await _stored(uow, record, owns_domain, update=False)
    return record


async def _stored(uow: UnitOfWork, record: Nip05, owns_domain: bool, *, update: bool) -> None:
    try:
        if update:
            await uow.nip05_names.update(record)
        else:
            await uow.nip05_names.add(record)
    except Conflict:
        # A concurrent claim won: name the winner when it can be seen.
        winner = await uow.nip05_names.find(record.name, record.domain)
        if (winner is None or winner.user_id == record.user_id) and not owns_domain:
            winner = await lookalike_of_another(uow, record.user_id, record.name, record.domain)
        if winner is None or winner.user_id == record.user_id:
            raise
        raise Conflict(lookalike_refusal(record.name, winner)) from None


class RegisterName:
    """Registers name@domain for the user's pubkey, active at once, within the plan's names quota.

    One owner per name per domain, case-insensitively, and no name passing for another account's
    (N9): the database decides between concurrent registrations. A released name is held for its
    last owner until the cooldown has passed.
    """

    def __init__(
        self, uow: UowFactory, clock: Clock, changes: NameChanges, default_domain: str, catalog: PlanCatalog
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._changes = changes
        self._default_domain = parse_serving_domain(default_domain)
        self._catalog = catalog

    async def __call__(
        self, user_id: UUID, name: str, domain: str | None = None, relays: list[str] | None = None
    ) -> Nip05:
        now = self._clock.now()
        domain = self._default_domain if domain is None else parse_serving_domain(domain)
        name = parse_nip05_name(name)
        async with self._changes.changing(domain, [name]), self._uow() as uow:
            pubkey = await _registering_user(uow, user_id)
            owns = await _owns_domain(uow, user_id, domain, self._default_domain)
            name = parse_registrable_name(name, owns_domain=owns)
            existing = await uow.nip05_names.find(name, domain)
            if existing is not None and existing.user_id == user_id and _blocks(existing, user_id, now, owns):
                raise Conflict(f"{existing.identifier} is already taken")
            await check_name_quota(uow, self._catalog, user_id, now)
            record = Nip05.claim(
                user_id=user_id, name=name, domain=domain, pubkey=pubkey, now=now, relays=relays
            )
            record = await take_name(uow, record, now, owns_domain=owns)
            await uow.commit()
        return record


class ListNames:
    """The user's names (released ones excluded), oldest first."""

    def __init__(self, uow: UowFactory) -> None:
        self._uow = uow

    async def __call__(self, user_id: UUID) -> list[Nip05]:
        async with self._uow() as uow:
            names = await uow.nip05_names.list_for_user(user_id)
        return [name for name in names if name.status is not Nip05Status.RELEASED]


class UpdateName:
    """Replaces the relays listed for one of the user's names, and locks or unlocks it against
    transfer offers (locking withdraws its open offers); a name on a custom domain only while the
    user holds the domain."""

    def __init__(self, uow: UowFactory, clock: Clock, changes: NameChanges, default_domain: str) -> None:
        self._uow = uow
        self._clock = clock
        self._changes = changes
        self._default_domain = parse_serving_domain(default_domain)

    async def __call__(
        self, user_id: UUID, name_id: UUID, relays: list[str] | None = None, locked: bool | None = None
    ) -> Nip05:
        async with self._uow() as uow:
            found = await _editable_name(uow, user_id, name_id, self._default_domain)
        async with self._changes.changing(found.domain, [found.name]), self._uow() as uow:
            # The name is locked before its offers are touched, as every writer of them does.
            await uow.nip05_names.get_for_update(name_id)
            record = await _editable_name(uow, user_id, name_id, self._default_domain)
            now = self._clock.now()
            if relays is not None:
                record = record.with_relays(relays, now)
            if locked is not None:
                record = record.with_lock(locked, now)
                if locked:
                    await uow.transfer_offers.delete_for_name(record.id)
            await uow.nip05_names.update(record)
            await uow.commit()
        return record


class ReleaseName:
    """Lets one of the user's names go; it is held back from others for the cooldown."""

    def __init__(self, uow: UowFactory, clock: Clock, changes: NameChanges) -> None:
        self._uow = uow
        self._clock = clock
        self._changes = changes

    async def __call__(self, user_id: UUID, name_id: UUID) -> None:
        async with self._uow() as uow:
            found = await _owned_name(uow, user_id, name_id)
        async with self._changes.changing(found.domain, [found.name]), self._uow() as uow:
            record = (await _owned_name(uow, user_id, name_id)).release(self._clock.now())
            await uow.nip05_names.update(record)
            await uow.commit()


class CheckNameAvailability:
    """Whether a user could register name@domain now, and why not."""

    def __init__(self, uow: UowFactory, clock: Clock, default_domain: str) -> None:
        self._uow = uow
        self._clock = clock
        self._default_domain = parse_serving_domain(default_domain)

    async def __call__(self, user_id: UUID | None, name: str, domain: str | None = None) -> Availability:
        """A malformed name or domain is simply not available, with the rule it breaks as reason."""
        raw_name, raw_domain = name.strip().lower(), (domain or self._default_domain).strip().lower()
        try:
            domain = self._default_domain if domain is None else parse_serving_domain(domain)
            name = parse_nip05_name(name)
        except InvalidInput as error:
            return Availability(name=raw_name, domain=raw_domain, available=False, reason=str(error))
        async with self._uow() as uow:
            owns = False
            if domain != self._default_domain:
                claim = await uow.domains.find_verified(domain)
                if claim is None:
                    return Availability(name=name, domain=domain, available=False, reason="unknown domain")
                owns = claim.user_id == user_id
                if not owns:
                    return Availability(
                        name=name,
                        domain=domain,
                        available=False,
                        reason="names on this domain are its owner's",
                    )
            if (refusal := name_refusal(name, owns_domain=owns)) is not None:
                return Availability(name=name, domain=domain, available=False, reason=refusal)
            existing = await uow.nip05_names.find(name, domain)
            lookalike = None if owns else await lookalike_of_another(uow, user_id, name, domain)
        if existing is not None and _blocks(existing, user_id, self._clock.now(), owns):
            return Availability(name=name, domain=domain, available=False, reason=_unavailable(existing))
        if lookalike is not None and lookalike.name != name:
            reason = lookalike_refusal(name, lookalike)
            return Availability(name=name, domain=domain, available=False, reason=reason)
        return Availability(name=name, domain=domain, available=True, reason=None)


def _unavailable(existing: Nip05) -> str:
    if existing.status is Nip05Status.RELEASED:
        return "held after release"
    if existing.status is Nip05Status.PENDING_PAYMENT:
        return "held for a buyer until their payment ends"
    return "taken"
