"""API keys: issued to a signed-in user, shown once, verified per request without PostgreSQL.

A presented key is looked up by its visible prefix and its digest compared in constant time. The
keys of a prefix are a verdict (see application/verdicts.py): every process keeps them ready, and
creating or revoking a key changes the verdict, which every process hears within a second. The
verdict also carries the API rate of each key owner's plan, for the rate limiter; a change of
subscription (settlement, comp, expiry) invalidates the verdicts of the owner's keys.
"""

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from uuid import UUID

from msgspec import Struct

from application.billing.plans import current_plan
from application.verdicts import VerdictNamespace, Verdicts
from domain.api_keys.keys import (
    KEY_PREFIX,
    KEY_RANDOM_BYTES,
    VISIBLE_PREFIX_LENGTH,
    ApiKey,
    ApiKeyUsage,
    IssuedApiKey,
)
from domain.audit.entries import Actor, AuditLog, RequestOrigin
from domain.auth.ports import ApiKeyGrant
from domain.auth.principal import Principal
from domain.billing.plans import PlanCatalog
from domain.shared.cache import CacheUnavailable
from domain.shared.clock import Clock
from domain.shared.errors import Forbidden, NotFound, QuotaExceeded, Unauthorized
from domain.shared.hashing import digests_match, secret_digest
from domain.shared.unit_of_work import UnitOfWork, UowFactory

log = logging.getLogger(__name__)

VERDICT_NAMESPACE = "api-key"
VERDICT_TTL = 300.0
KEY_LENGTH = len(KEY_PREFIX) + 2 * KEY_RANDOM_BYTES
MAX_USAGE_DAYS = 366
DEFAULT_USAGE_DAYS = 30
API_KEY_CREATED = "api_key.created"
API_KEY_REVOKED = "api_key.revoked"


class KeyOfPrefix(Struct, frozen=True, kw_only=True):
    api_key_id: UUID
    user_id: UUID
    key_hash: str
    scopes: tuple[str, ...]
    active: bool
    # The owner's plan's rate when the verdict was loaded; None in verdicts stored before plans.
    requests_per_minute: int | None = None


class KeysOfPrefix(Struct, frozen=True, kw_only=True):
    """The verdict on a prefix: every key that carries it (usually one, or none)."""

    keys: tuple[KeyOfPrefix, ...] = ()

    @classmethod
    def of(cls, api_keys: list[ApiKey], rates: dict[UUID, int] | None = None) -> "KeysOfPrefix":
        rates = rates or {}
        return cls(
            keys=tuple(
                KeyOfPrefix(
                    api_key_id=key.id,
                    user_id=key.user_id,
                    key_hash=key.key_hash,
                    scopes=tuple(scope.value for scope in key.scopes),
                    active=key.is_active,
                    requests_per_minute=rates.get(key.user_id),
                )
                for key in api_keys
            )
        )


def api_key_verdicts(verdicts: Verdicts) -> VerdictNamespace[KeysOfPrefix]:
    return verdicts.namespace(VERDICT_NAMESPACE, KeysOfPrefix, ttl=VERDICT_TTL)


def _for_a_person(principal: Principal) -> Principal:
    if principal.is_machine:
        raise Forbidden("API keys are managed by their owner signed in, not with an API key")
    return principal


class VerifyApiKey:
    """The ApiKeyVerifier: a presented key's grant, from the verdict kept by every process."""

    def __init__(
        self, verdicts: Verdicts, unit_of_work: UowFactory, catalog: PlanCatalog, clock: Clock
    ) -> None:
        self._keys = api_key_verdicts(verdicts)
        self._uow = unit_of_work
        self._catalog = catalog
        self._clock = clock

    async def verify(self, presented_key: str) -> ApiKeyGrant:
        prefix = _prefix_of(presented_key)

        async def load() -> KeysOfPrefix:
            async with self._uow() as uow:
                keys = await uow.api_keys.list_by_prefix(prefix)
                now = self._clock.now()
                rates = {
                    user_id: (
                        await current_plan(uow, self._catalog, user_id, now)
                    ).quotas.api_requests_per_minute
                    for user_id in {key.user_id for key in keys}
                }
                return KeysOfPrefix.of(keys, rates)

        return _grant(await self._keys.get(prefix, load), presented_key)

    async def verify_held(self, presented_key: str) -> ApiKeyGrant | None:
        held = await self._keys.held(_prefix_of(presented_key))
        return None if held is None else _grant(held, presented_key)


def _prefix_of(presented_key: str) -> str:
    if len(presented_key) != KEY_LENGTH or not presented_key.startswith(KEY_PREFIX):
        raise Unauthorized("the API key is malformed")
    return presented_key[:VISIBLE_PREFIX_LENGTH]


def _grant(verdict: KeysOfPrefix, presented_key: str) -> ApiKeyGrant:
    digest = secret_digest(presented_key)
    found = None
    for key in verdict.keys:
        # Every candidate is compared, in constant time, whatever the earlier ones gave.
        if digests_match(key.key_hash, digest) and found is None:
            found = key
    if found is None:
        raise Unauthorized("the API key is unknown")
    if not found.active:
        raise Unauthorized("the API key was revoked")
    return ApiKeyGrant(
        api_key_id=found.api_key_id,
        user_id=found.user_id,
        scopes=frozenset(found.scopes),
        requests_per_minute=found.requests_per_minute,
    )


class ApiKeyPlanChanges:
    """Tells every process that users' plans changed, so their keys' verdicts (and rates) reload.

    Called after the subscription change is committed: a payment or an expiry is never refused
    because the cache cannot be told. Then the old rate lasts at most the verdict's lifetime.
    """

    def __init__(self, verdicts: Verdicts, unit_of_work: UowFactory) -> None:
        self._keys = api_key_verdicts(verdicts)
        self._uow = unit_of_work

    async def __call__(self, user_ids: Iterable[UUID]) -> None:
        wanted = set(user_ids)
        if not wanted:
            return
        async with self._uow() as uow:
            prefixes = {key.prefix for user_id in wanted for key in await uow.api_keys.list_for_user(user_id)}
        for prefix in sorted(prefixes):
            try:
                await self._keys.invalidate(prefix)
            except CacheUnavailable as error:
                log.warning("API key verdict %s not invalidated after a plan change: %s", prefix, error)


class CreateApiKey:
    """Issues a key to the signed-in user; the clear key is in the answer and nowhere else.

    Every unrevoked key of the user counts against the plan's API-keys quota; the user's row is
    locked while counting, so concurrent creations are counted one by one.
    """

    def __init__(
        self, unit_of_work: UowFactory, verdicts: Verdicts, clock: Clock, catalog: PlanCatalog
    ) -> None:
        self._uow = unit_of_work
        self._keys = api_key_verdicts(verdicts)
        self._clock = clock
        self._catalog = catalog

    async def __call__(
        self, principal: Principal, name: str, scopes: list[str], origin: RequestOrigin
    ) -> IssuedApiKey:
        _for_a_person(principal)
        now = self._clock.now()
        issued = ApiKey.issue(user_id=principal.user_id, name=name, scopes=scopes, now=now)
        key = issued.api_key
        # A cached "no key with this prefix" must not hide the new key.
        async with self._keys.changing(key.prefix), self._uow() as uow:
            await _check_key_quota(uow, self._catalog, principal.user_id, now)
            await uow.api_keys.add(key)
            await uow.audit_log.add(_audit(API_KEY_CREATED, principal, key, origin, now))
            await uow.commit()
        return issued


async def _check_key_quota(uow: UnitOfWork, catalog: PlanCatalog, user_id: UUID, now: datetime) -> None:
    if await uow.users.get_for_update(user_id) is None:
        raise Forbidden("this account may not create API keys")
    plan = await current_plan(uow, catalog, user_id, now)
    held = sum(1 for key in await uow.api_keys.list_for_user(user_id) if key.is_active)
    if held >= plan.quotas.api_keys:
        raise QuotaExceeded(
            f"API keys quota reached: the {plan.name} plan allows {plan.quotas.api_keys} API key(s) "
            f"and you hold {held}; revoke one or choose a larger plan"
        )


class ListApiKeys:
    def __init__(self, unit_of_work: UowFactory) -> None:
        self._uow = unit_of_work

    async def __call__(self, principal: Principal) -> list[ApiKey]:
        _for_a_person(principal)
        async with self._uow() as uow:
            return await uow.api_keys.list_for_user(principal.user_id)


async def _own_key(uow: UnitOfWork, principal: Principal, api_key_id: UUID) -> ApiKey:
    key = await uow.api_keys.get(api_key_id)
    # Another user's key is answered as unknown: its existence is not revealed.
    if key is None or key.user_id != principal.user_id:
        raise NotFound("no such API key")
    return key


class RevokeApiKey:
    """Revokes one of the user's keys; every process refuses it within a second."""

    def __init__(self, unit_of_work: UowFactory, verdicts: Verdicts, clock: Clock) -> None:
        self._uow = unit_of_work
        self._keys = api_key_verdicts(verdicts)
        self._clock = clock

    async def __call__(self, principal: Principal, api_key_id: UUID, origin: RequestOrigin) -> None:
        _for_a_person(principal)
        async with self._uow() as uow:
            key = await _own_key(uow, principal, api_key_id)
        if key.revoked_at is not None:
            return
        now = self._clock.now()
        async with self._keys.changing(key.prefix), self._uow() as uow:
            key = await _own_key(uow, principal, api_key_id)
            if key.revoked_at is not None:
                return
            await uow.api_keys.update(key.revoke(now))
            await uow.audit_log.add(_audit(API_KEY_REVOKED, principal, key, origin, now))
            await uow.commit()


class UsageReport(Struct, frozen=True, kw_only=True):
    """The uses recorded from `first` to `last` inclusive (no day when `first` is after `last`)."""

    first: date
    last: date
    items: list[ApiKeyUsage]
    total: int


def _days_before(day: date, days: int) -> date:
    return day - timedelta(days=days) if day.toordinal() > days else date.min


class GetApiKeyUsage:
    """The recorded uses of one of the user's keys, by day, endpoint and status class.

    At most the MAX_USAGE_DAYS days ending at the last day are read: an earlier first day is moved
    forward, and the report names the days it covers.
    """

    def __init__(self, unit_of_work: UowFactory, clock: Clock) -> None:
        self._uow = unit_of_work
        self._clock = clock

    async def __call__(
        self, principal: Principal, api_key_id: UUID, first_day: date | None, last_day: date | None
    ) -> UsageReport:
        _for_a_person(principal)
        last = last_day or self._clock.now().date()
        first = first_day or _days_before(last, DEFAULT_USAGE_DAYS - 1)
        first = max(first, _days_before(last, MAX_USAGE_DAYS - 1))
        async with self._uow() as uow:
            await _own_key(uow, principal, api_key_id)
            items = await uow.api_key_usage.list_for_key(api_key_id, first, last) if first <= last else []
        return UsageReport(first=first, last=last, items=items, total=sum(item.count for item in items))


def _audit(action: str, principal: Principal, key: ApiKey, origin: RequestOrigin, now: datetime) -> AuditLog:
    return AuditLog.record(
        action=action,
        now=now,
        actor=Actor(user_id=principal.user_id, pubkey=principal.pubkey, origin=origin),
        target=("api_key", key.id),
        details={"name": key.name, "prefix": key.prefix, "scopes": [scope.value for scope in key.scopes]},
    )
