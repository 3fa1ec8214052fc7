"""Custom domains: add one, prove it with a DNS TXT record, list, remove, and re-check periodically."""

import logging
from datetime import datetime, timedelta
from uuid import UUID

from msgspec import Struct

from application.billing.plans import current_plan
from application.names.changes import NameChanges
from domain.audit.entries import NO_ORIGIN, Actor, AuditLog, RequestOrigin
from domain.billing.plans import PlanCatalog
from domain.names.custom_domains import (
    RECHECK_GRACE,
    CustomDomain,
    CustomDomainStatus,
    domain_token_matches,
    parse_custom_domain,
)
from domain.names.ports import DnsLookupFailed, DnsResolver
from domain.shared.clock import Clock
from domain.shared.errors import DependencyUnavailable, Forbidden, NotFound, QuotaExceeded
from domain.shared.unit_of_work import UnitOfWork, UowFactory

log = logging.getLogger("nostr_id.domains")
RECHECK_INTERVAL = timedelta(hours=1)
RECHECK_BATCH = 100
DOMAIN_REMOVED = "domain.removed"
DOMAIN_VERIFIED = "domain.verified"
DOMAIN_TAKEN_OVER = "domain.taken_over"
DOMAIN_SUSPENDED = "domain.suspended"
# A claim in one of these states holds the domain, or held it and may get it back.
HOLDING = (CustomDomainStatus.VERIFIED, CustomDomainStatus.SUSPENDED)


class VerificationOutcome(Struct, frozen=True, kw_only=True):
    domain: CustomDomain
    checked_at: datetime
    detail: str


async def _names_on(uow: UnitOfWork, domain: str) -> list[str]:
    return [record.name for record in await uow.nip05_names.list_for_domain(domain)]


def _audit(
    action: str, record: CustomDomain, now: datetime, actor: Actor | None, **details: object
) -> AuditLog:
    """`actor` is None for a job."""
    return AuditLog.record(
        action=action,
        now=now,
        actor=actor or Actor(),
        target=("domain", record.id),
        details={"domain": record.domain, "owner": str(record.user_id), **details},
    )


async def _take_over(uow: UnitOfWork, holder: CustomDomain, now: datetime, actor: Actor | None) -> list[str]:
    """The holder proved the domain: every other claim on it fails and every name registered under
    another owner ends, in the holder's transaction, audited. Answers the names that ended."""
    ended_claims = []
    for claim in await uow.domains.list_claims(holder.domain):
        if claim.user_id != holder.user_id and claim.status in HOLDING:
            await uow.domains.update(claim.lost_to_new_holder(now))
            ended_claims.append(claim)
    ended_names = await uow.nip05_names.delete_for_others_on_domain(holder.domain, holder.user_id)
    await uow.audit_log.add(
        _audit(
            DOMAIN_TAKEN_OVER if ended_claims or ended_names else DOMAIN_VERIFIED,
            holder,
            now,
            actor,
            previous_owners=[str(claim.user_id) for claim in ended_claims],
            names_ended=ended_names,
        )
    )
    return ended_names


async def _store(
    uow_factory: UowFactory,
    changes: NameChanges,
    before: CustomDomain,
    after: CustomDomain,
    actor: Actor | None = None,
) -> None:
    """Stores a checked domain. When it starts serving, it takes the domain over from every earlier
    holder; when it starts or stops serving, the answers for the domain's names change."""
    names: list[str] = []
    ended: list[str] = []
    if before.is_serving != after.is_serving:
        async with uow_factory() as uow:
            names = await _names_on(uow, before.domain)
    async with changes.changing(before.domain, names), uow_factory() as uow:
        if after.is_serving and not before.is_serving:
            ended = await _take_over(uow, after, after.updated_at, actor)
        elif before.is_serving and not after.is_serving:
            await uow.audit_log.add(_audit(DOMAIN_SUSPENDED, after, after.updated_at, actor))
        await uow.domains.update(after)
        await uow.commit()
    await _forget_late(changes, before.domain, ended, names)


async def _forget_late(changes: NameChanges, domain: str, ended: list[str], told: list[str]) -> None:
    """Forgets the answers of names that ended but were registered after the cache was told."""
    if late := sorted(set(ended) - set(told)):
        async with changes.changing(domain, late):
            pass


async def _owned_domain(uow: UnitOfWork, user_id: UUID, domain_id: UUID) -> CustomDomain:
    """The user's own domain; another user's is reported as missing, never as forbidden."""
    record = await uow.domains.get(domain_id)
    if record is None or record.user_id != user_id:
        raise NotFound("domain not found")
    return record


async def _held_by_another(uow_factory: UowFactory, record: CustomDomain) -> bool:
    async with uow_factory() as uow:
        holder = await uow.domains.find_verified(record.domain)
    return holder is not None and holder.user_id != record.user_id


class AddDomain:
    """Claims a domain for the user with a fresh random token to publish as a TXT record.

    Every domain the user has claimed (verified or not) counts against the plan's custom-domains
    quota; the user's row is locked while counting, so concurrent claims are counted one by one.
    """

    def __init__(self, uow: UowFactory, clock: Clock, catalog: PlanCatalog) -> None:
        self._uow = uow
        self._clock = clock
        self._catalog = catalog

    async def __call__(self, user_id: UUID, domain: str) -> CustomDomain:
        now = self._clock.now()
        record = CustomDomain.claim(user_id=user_id, domain=parse_custom_domain(domain), now=now)
        async with self._uow() as uow:
            if await uow.users.get_for_update(user_id) is None:
                raise Forbidden("this account may not add domains")
            plan = await current_plan(uow, self._catalog, user_id, now)
            claimed = len(await uow.domains.list_for_user(user_id))
            if claimed >= plan.quotas.custom_domains:
                raise QuotaExceeded(
                    f"custom domains quota reached: the {plan.name} plan allows "
                    f"{plan.quotas.custom_domains} custom domain(s) and you have {claimed}; "
                    "remove one or choose a larger plan"
                )
            await uow.domains.add(record)
            await uow.commit()
        return record


class ListDomains:
    def __init__(self, uow: UowFactory) -> None:
        self._uow = uow

    async def __call__(self, user_id: UUID) -> list[CustomDomain]:
        async with self._uow() as uow:
            return await uow.domains.list_for_user(user_id)


class RemoveDomain:
    """Removes the user's domain and, in the same transaction, every name the user holds on it."""

    def __init__(self, uow: UowFactory, clock: Clock, changes: NameChanges) -> None:
        self._uow = uow
        self._clock = clock
        self._changes = changes

    async def __call__(self, user_id: UUID, domain_id: UUID, origin: RequestOrigin = NO_ORIGIN) -> None:
        async with self._uow() as uow:
            record = await _owned_domain(uow, user_id, domain_id)
            on_domain = await uow.nip05_names.list_for_domain(record.domain)
            names = [n.name for n in on_domain if n.user_id == user_id]
        async with self._changes.changing(record.domain, names), self._uow() as uow:
            record = await _owned_domain(uow, user_id, domain_id)
            ended = await uow.nip05_names.delete_for_user_on_domain(user_id, record.domain)
            await uow.domains.delete(record.id)
            actor = Actor(user_id=user_id, origin=origin)
            entry = _audit(DOMAIN_REMOVED, record, self._clock.now(), actor, names_ended=ended)
            await uow.audit_log.add(entry)
            await uow.commit()
        await _forget_late(self._changes, record.domain, ended, names)


class VerifyDomain:
    """Looks up `_nostr-id.<domain>` TXT now; the domain is verified when the token is there.

    Whoever proves the domain with their own record holds it at once: an earlier holder's claim
    fails and every name registered under it ends, in the same transaction (audited). A TXT
    value of any content is compared, never trusted to be ASCII.
    """

    def __init__(self, uow: UowFactory, clock: Clock, dns: DnsResolver, changes: NameChanges) -> None:
        self._uow = uow
        self._clock = clock
        self._dns = dns
        self._changes = changes

    async def __call__(
        self, user_id: UUID, domain_id: UUID, origin: RequestOrigin = NO_ORIGIN
    ) -> VerificationOutcome:
        async with self._uow() as uow:
            record = await _owned_domain(uow, user_id, domain_id)
        values = await self._dns.txt_records(record.txt_record_name)
        now = self._clock.now()
        found = domain_token_matches(record.verification_token, values)
        if found and record.status is not CustomDomainStatus.VERIFIED:
            checked = record.mark_verified(now)
            detail = "the TXT record was found; the domain is verified"
        elif found:
            checked = record.rechecked(True, now)
            detail = "the TXT record was found"
        else:
            checked = record.checked(now)
            detail = (
                f"no TXT record {record.txt_record_value!r} at {record.txt_record_name}"
                if not values
                else f"the TXT records at {record.txt_record_name} do not hold this domain's token"
            )
        actor = Actor(user_id=user_id, origin=origin)
        await _store(self._uow, self._changes, record, checked, actor)
        return VerificationOutcome(domain=checked, checked_at=now, detail=detail)


class RecheckDomains:
    """The periodic job: re-reads the TXT record of every domain due for a check.

    A verified domain whose record is gone is suspended once `grace` has passed since it was first
    found missing; a suspended one is restored when its record is back, unless another user has
    proved the domain since (only the holder's own verification takes a domain over from a
    verified holder). A domain whose check fails for any reason (the resolvers do not answer, its
    record cannot be stored) is logged, counted as failed and marked as checked, so the run goes
    on with the other domains and the next run does not start with it again.
    """

    def __init__(
        self,
        uow: UowFactory,
        clock: Clock,
        dns: DnsResolver,
        changes: NameChanges,
        interval: timedelta = RECHECK_INTERVAL,
        grace: timedelta = RECHECK_GRACE,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._dns = dns
        self._changes = changes
        self._interval = interval
        self._grace = grace

    async def __call__(self) -> dict[str, int]:
        counts = {"checked": 0, "suspended": 0, "restored": 0, "failed_lookups": 0, "failed": 0}
        started = self._clock.now()
        seen: set[UUID] = set()
        while True:
            async with self._uow() as uow:
                due = await uow.domains.list_due_for_check(started - self._interval, RECHECK_BATCH)
            due = [record for record in due if record.id not in seen]
            if not due:
                return counts
            for record in due:
                seen.add(record.id)
                try:
                    await self._recheck(record, counts)
                except DependencyUnavailable:
                    raise
                except Exception:
                    log.exception("re-check of domain %s (%s) failed", record.id, record.domain)
                    counts["failed"] += 1
                    await self._mark_tried(record)

    async def _recheck(self, record: CustomDomain, counts: dict[str, int]) -> None:
        try:
            values = await self._dns.txt_records(record.txt_record_name)
        except DnsLookupFailed as error:
            log.warning("re-check of %s failed: %s", record.domain, error)
            counts["failed_lookups"] += 1
            await self._mark_tried(record)
            return
        now = self._clock.now()
        checked = record.rechecked(domain_token_matches(record.verification_token, values), now, self._grace)
        if checked.is_serving and not record.is_serving and await _held_by_another(self._uow, record):
            checked = record.checked(now)
        counts["checked"] += 1
        if checked.status != record.status:
            counts["suspended" if checked.status is CustomDomainStatus.SUSPENDED else "restored"] += 1
        await _store(self._uow, self._changes, record, checked)

    async def _mark_tried(self, record: CustomDomain) -> None:
        async with self._uow() as uow:
            current = await uow.domains.get(record.id)
            if current is not None:
                await uow.domains.update(current.checked(self._clock.now()))
                await uow.commit()
