"""How use cases that change names keep nostr.json answers true."""

from contextlib import AbstractAsyncContextManager
from typing import Protocol


class NameChanges(Protocol):
    """Wraps a change of names on a domain (commit inside the block): every process forgets the
    served answers for them, before the change (fails closed when the cache cannot be told) and
    again after it."""

    def changing(self, domain: str, names: list[str]) -> AbstractAsyncContextManager[None]: ...
