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

from contextlib import AbstractAsyncContextManager

import msgspec

from application.verdicts import Verdicts
from domain.shared.unit_of_work import UowFactory

NAMESPACE = "nip05-held"
DOMAINS = "domains"


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

    def __init__(self, uow_factory: UowFactory, verdicts: Verdicts, default_domain: str, ttl: float) -> None:
        self._uow_factory = uow_factory
        self._sets = verdicts.namespace(NAMESPACE, HeldSet, ttl=ttl)
        self._default_domain = default_domain

    async def may_serve(self, domain: str, name: str) -> bool:
        """False when the domain is not served or holds no such name; True when it might."""
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
