"""How use cases that change names keep nostr.json answers true."""

from collections import defaultdict
from collections.abc import Iterable
from contextlib import AbstractAsyncContextManager
from typing import Protocol
from uuid import UUID

from domain.shared.unit_of_work import UowFactory


class NameChanges(Protocol):
    """Wraps a change of names on a domain (commit inside the block): every process forgets the
    served answers for them, before the change (fails closed when the cache cannot be told) and
    again after it."""

    def changing(self, domain: str, names: list[str]) -> AbstractAsyncContextManager[None]: ...


class ForgetServedNames:
    """Every process forgets the served answers of the accounts' names, after a change of their
    status made by billing (names held when a paid period lapses, released when one is paid), so
    nostr.json follows within a second rather than when the answers expire."""

    def __init__(self, unit_of_work: UowFactory, changes: NameChanges) -> None:
        self._uow = unit_of_work
        self._changes = changes

    async def __call__(self, user_ids: Iterable[UUID]) -> None:
        for user_id in user_ids:
            async with self._uow() as uow:
                held = await uow.nip05_names.list_for_user(user_id)
            by_domain: defaultdict[str, list[str]] = defaultdict(list)
            for nip05 in held:
                by_domain[nip05.domain].append(nip05.name)
            for domain, names in by_domain.items():
                async with self._changes.changing(domain, names):
                    pass
