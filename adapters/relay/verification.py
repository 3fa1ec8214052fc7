"""Event verification off the event loop, in batches, remembering signatures already checked."""

import asyncio
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import Executor

import msgspec

from adapters.relay.config import DEFAULT_LIMITS
from domain.nostr.event import Event
from domain.nostr.serialization import canonical_bytes
from domain.nostr.signing import verify_event


class VerifiedSignatures:
    """A bounded LRU of (id, sig) pairs whose signature verified, shared by worker threads.

    Skipping the Schnorr check on a hit is sound only because the id is always recomputed from the
    event first: a matching id binds pubkey and content, and the sig was checked against that id.
    """

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._lock = threading.Lock()

    def __contains__(self, key: tuple[str, str]) -> bool:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return True
            return False

    def add(self, key: tuple[str, str]) -> None:
        if self._capacity <= 0:
            return
        with self._lock:
            self._entries[key] = None
            self._entries.move_to_end(key)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)


class EventVerifier:
    """Checks id and signature of every event; runs batches on an executor (coincurve and hashlib
    release the GIL, so batches on worker threads overlap with reading the socket)."""

    def __init__(
        self, executor: Executor | None, *, cache_size: int = DEFAULT_LIMITS.verified_cache_size
    ) -> None:
        self._executor = executor
        self._verified = VerifiedSignatures(cache_size)

    def use_executor(self, executor: Executor | None) -> None:
        self._executor = executor

    def check(self, event: Event) -> bool:
        key = (event.id, event.sig)
        if key not in self._verified:
            if not verify_event(event):
                return False
            self._verified.add(key)
            return True
        try:
            digest = hashlib.sha256(
                canonical_bytes(event.pubkey, event.created_at, event.kind, event.tags, event.content)
            ).hexdigest()
        except (msgspec.EncodeError, UnicodeEncodeError):
            return False
        return digest == event.id

    def check_batch(self, events: Sequence[Event]) -> list[bool]:
        return [self.check(event) for event in events]

    async def check_async(self, events: Sequence[Event]) -> list[bool]:
        if self._executor is None or not events:
            return self.check_batch(events)
        return await asyncio.get_running_loop().run_in_executor(self._executor, self.check_batch, events)
