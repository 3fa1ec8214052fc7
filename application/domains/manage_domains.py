"""Custom domains: add one, prove it with a DNS TXT record, list, remove, and re-check periodically."""

import logging
from datetime import datetime, timedelta
from uuid import UUID

from msgspec import Struct

from application.billing.plans import current_plan
from application.names.changes import NameChanges
from domain.billing.plans import PlanCatalog
from domain.clock import Clock
from domain.errors import Forbidden, NotFound, QuotaExceeded
from domain.ports.dns import DnsLookupFailed, DnsResolver
from domain.ports.persistence import UnitOfWork
from domain.records.domains import (
    RECHECK_GRACE,
    Domain,
    DomainStatus,
    domain_token_matches,
    parse_custom_domain,
)

log = logging.getLogger("nostr_id.domains")
RECHECK_INTERVAL = timedelta(hours=1)
RECHECK_BATCH = 100


class VerificationOutcome(Struct, frozen=True, kw_only=True):
    domain: Domain
    checked_at: datetime
    detail: str


async def _names_on(uow: UnitOfWork, domain: str) -> list[str]:
    return [record.name for record in await uow.nip05_names.list_for_domain(domain)]


async def _store(uow: UnitOfWork, changes: NameChanges, before: Domain, after: Domain) -> None:
    """Stores a checked domain; when it starts or stops serving, its names' answers change."""
    names: list[str] = []
    if before.is_serving != after.is_serving:
        async with uow:
            names = await _names_on(uow, before.domain)
    async with changes.changing(before.domain, names), uow:
        await uow.domains.update(after)
        await uow.commit()


async def _owned_domain(uow: UnitOfWork, user_id: UUID, domain_id: UUID) -> Domain:
    """The user's own domain; another user's is reported as missing, never as forbidden."""
    record = await uow.domains.get(domain_id)
    if record is None or record.user_id != user_id:
        raise NotFound("domain not found")
    return record


class AddDomain:
    """Claims a domain for the user with a fresh random token to publish as a TXT record.

    Every domain the user has claimed (verified or not) counts against the plan's custom-domains
    quota; the user's row is locked while counting, so concurrent claims are counted one by one.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, catalog: PlanCatalog) -> None:
        self._uow = uow
        self._clock = clock
        self._catalog = catalog

    async def __call__(self, user_id: UUID, domain: str) -> Domain:
        now = self._clock.now()
        record = Domain.claim(user_id=user_id, domain=parse_custom_domain(domain), now=now)
        async with self._uow as uow:
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
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, user_id: UUID) -> list[Domain]:
        async with self._uow as uow:
            return await uow.domains.list_for_user(user_id)


class RemoveDomain:
    """Removes the user's domain; its names are no longer served."""

    def __init__(self, uow: UnitOfWork, changes: NameChanges) -> None:
        self._uow = uow
        self._changes = changes

    async def __call__(self, user_id: UUID, domain_id: UUID) -> None:
        async with self._uow as uow:
            record = await _owned_domain(uow, user_id, domain_id)
            names = await _names_on(uow, record.domain)
        async with self._changes.changing(record.domain, names), self._uow as uow:
            await uow.domains.delete(record.id)
            await uow.commit()


class VerifyDomain:
    """Looks up `_nostr-id.<domain>` TXT now; the domain is verified when the token is there."""

    def __init__(self, uow: UnitOfWork, clock: Clock, dns: DnsResolver, changes: NameChanges) -> None:
        self._uow = uow
        self._clock = clock
        self._dns = dns
        self._changes = changes

    async def __call__(self, user_id: UUID, domain_id: UUID) -> VerificationOutcome:
        async with self._uow as uow:
            record = await _owned_domain(uow, user_id, domain_id)
        values = await self._dns.txt_records(record.txt_record_name)
        now = self._clock.now()
        found = domain_token_matches(record.verification_token, values)
        if found and record.status is not DomainStatus.VERIFIED:
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
        await _store(self._uow, self._changes, record, checked)
        return VerificationOutcome(domain=checked, checked_at=now, detail=detail)


class RecheckDomains:
    """The periodic job: re-reads the TXT record of every domain due for a check.

    A verified domain whose record is gone is suspended once `grace` has passed since it was first
    found missing; a suspended one is restored when its record is back. A lookup that fails (the
    resolvers do not answer) changes nothing and is retried on the next run.
    """

    def __init__(
        self,
        uow: UnitOfWork,
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
        counts = {"checked": 0, "suspended": 0, "restored": 0, "failed_lookups": 0}
        started = self._clock.now()
        seen: set[UUID] = set()
        while True:
            async with self._uow as uow:
                due = await uow.domains.list_due_for_check(started - self._interval, RECHECK_BATCH)
            due = [record for record in due if record.id not in seen]
            if not due:
                return counts
            for record in due:
                seen.add(record.id)
                await self._recheck(record, counts)

    async def _recheck(self, record: Domain, counts: dict[str, int]) -> None:
        try:
            values = await self._dns.txt_records(record.txt_record_name)
        except DnsLookupFailed as error:
            log.warning("re-check of %s failed: %s", record.domain, error)
            counts["failed_lookups"] += 1
            return
        now = self._clock.now()
        checked = record.rechecked(domain_token_matches(record.verification_token, values), now, self._grace)
        counts["checked"] += 1
        if checked.status != record.status:
            counts["suspended" if checked.status is DomainStatus.SUSPENDED else "restored"] += 1
        await _store(self._uow, self._changes, record, checked)
