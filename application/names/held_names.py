"""Which names each domain holds, kept in every serving process, so a name nobody holds costs nothing.

A question for a name nobody holds (a flood of random names, or of random Host headers) is answered
from memory: no PostgreSQL query and no cache entry per name asked. Two kinds of verdicts live in the
`nip05-held` namespace: the domains served (the default one and every verified custom domain) and,
per served domain, the names held there (every name not released: a superset of the names served,
so an unsuspended or renewed name is already in it). Both change only inside
`NostrJsonDirectory.changing(...)`, the names' one invalidation path, so every process hears of a
new name or domain within a second. Memory and cache entries grow with the names held, never with
the names asked.
"""

import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import msgspec

from application.verdicts import Verdicts
from domain.shared.errors import DependencyUnavailable
from domain.shared.unit_of_work import UowFactory

NAMESPACE = "nip05-held"
DOMAINS = "domains"
# After PostgreSQL could not load a set, how long questions skip the sets rather than wait on it again.
RETRY_AFTER = 1.0


class HeldSet(msgspec.Struct, frozen=True, kw_only=True):
    """Domains or names; `known` is False while the cache is down and the set is not loaded."""

    items: frozenset[str] = frozenset()
    known: bool = True


UNKNOWN = HeldSet(known=False)


async def _unknown() -> HeldSet:
    # While the cache is down nothing local is trusted; loading a whole set per question would cost
    # more than the per-name lookup it saves, so the question takes the per-name path instead.
    return UNKNOWN


def _names_key(domain: str) -> str:
    return f"names/{domain}"


class HeldNames:
    """Says whether a domain may serve a name, from sets loaded once per change, not per name."""

    def __init__(
        self,
        uow_factory: UowFactory,
        verdicts: Verdicts,
        default_domain: str,
        ttl: float,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._uow_factory = uow_factory
        self._sets = verdicts.namespace(NAMESPACE, HeldSet, ttl=ttl)
        self._default_domain = default_domain
        self._timer = timer
        self._database_down_until = -float("inf")

    async def may_serve(self, domain: str, name: str) -> bool:
        """False when the domain is not served or holds no such name; True when it might.

        A change of any name makes every process load the domain's set again. While PostgreSQL cannot
        answer that, the name might be held, so it might serve: the answer the cache keeps for a known
        name still serves (F3: a database outage right after a registration refuses no known name).
        For RETRY_AFTER after such a failure the sets are not asked, so questions do not each wait
        for the database to fail again."""
        if self._timer() < self._database_down_until:
            return True
        try:
            return await self._held_by_sets(domain, name)
        except DependencyUnavailable:
            self._database_down_until = self._timer() + RETRY_AFTER
            return True

    async def _held_by_sets(self, domain: str, name: str) -> bool:
        domains = await self._sets.get(DOMAINS, self._load_domains, untrusted=_unknown)
        if domains.known and domain not in domains.items:
            return False
        names = await self._sets.get(_names_key(domain), lambda: self._load_names(domain), untrusted=_unknown)
        return not names.known or name in names.items

    def changing(self, domain: str) -> AbstractAsyncContextManager[None]:
        """Wraps a change of the domain's names or of the domain itself (see Verdicts.changing)."""
        return self._sets.changing(DOMAINS, _names_key(domain))

    async def _load_domains(self) -> HeldSet:
        async with self._uow_factory() as uow:
            verified = await uow.domains.list_verified_names()
        return HeldSet(items=frozenset({self._default_domain, *verified}))

    async def _load_names(self, domain: str) -> HeldSet:
        async with self._uow_factory() as uow:
            return HeldSet(items=frozenset(await uow.nip05_names.list_held_names(domain)))
