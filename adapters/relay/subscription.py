"""One REQ subscription: collects a relay's events until EOSE, verifying them in batches."""

import asyncio

from adapters.relay.errors import CapExceeded, RelayError
from adapters.relay.verification import EventVerifier
from domain.nostr.event import Event, Filter
from domain.nostr.filters import matches


class Budget:
    """How many events and bytes one call may still take from one relay."""

    def __init__(self, max_events: int, max_bytes: int) -> None:
        self.events_left = max_events
        self.bytes_left = max_bytes

    def charge(self, frame_bytes: int) -> bool:
        self.events_left -= 1
        self.bytes_left -= frame_bytes
        return self.events_left >= 0 and self.bytes_left >= 0


class PageResult:
    def __init__(self, events: list[Event], received: int, invalid: int, unrequested: int) -> None:
        self.events = events
        self.received = received
        self.invalid = invalid
        self.unrequested = unrequested


class Subscription:
    """Fed by the connection's reader; `done` resolves at EOSE or fails with a RelayError."""

    def __init__(
        self,
        filter_: Filter,
        budget: Budget,
        verifier: EventVerifier,
        *,
        batch_size: int = 64,
    ) -> None:
        self.filter = filter_
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._budget = budget
        self._verifier = verifier
        self._batch_size = batch_size
        self._batch: list[Event] = []
        self._checks: list[tuple[list[Event], asyncio.Future[list[bool]]]] = []
        self._received = 0
        self._unrequested = 0

    def on_event(self, event: Event, frame_bytes: int) -> None:
        if self.done.done():
            return
        if not self._budget.charge(frame_bytes):
            self.fail(CapExceeded("the relay sent more events or bytes than one call may take"))
            return
        self._received += 1
        if not matches(self.filter, event):
            self._unrequested += 1
            return
        self._batch.append(event)
        if len(self._batch) >= self._batch_size:
            self._submit()

    def finish(self) -> None:
        if not self.done.done():
            self._submit()
            self.done.set_result(None)

    def fail(self, error: RelayError) -> None:
        if not self.done.done():
            self.done.set_exception(error)
            for _, check in self._checks:
                check.cancel()

    async def result(self) -> PageResult:
        """Waits for EOSE and for every batch's verification; raises what failed the subscription."""
        await self.done
        events: list[Event] = []
        invalid = 0
        for batch, check in self._checks:
            for event, valid in zip(batch, await check, strict=True):
                if valid:
                    events.append(event)
                else:
                    invalid += 1
        return PageResult(events, self._received, invalid, self._unrequested)

    def _submit(self) -> None:
        if self._batch:
            batch, self._batch = self._batch, []
            self._checks.append((batch, asyncio.ensure_future(self._verifier.check_async(batch))))
