"""One REQ subscription: collects a relay's events until EOSE, verifying them in batches."""

import asyncio

from adapters.relay.errors import CapExceeded, RelayError
from adapters.relay.verification import EventVerifier
from domain.nostr.event import Event, Filter
from domain.nostr.filters import matches

# Decoded, an event weighs up to about three times its frame (measured with tracemalloc: 1.8x for a
# short note, 3.1x for a contact list of 300 tags), plus the objects every event has.
DECODED_WEIGHT = 3
EVENT_OVERHEAD = 256
# Events handed to the verifier together.
VERIFY_BATCH = 64


def decoded_size(frame_bytes: int) -> int:
    """What an event held in memory is charged: an upper estimate of its decoded size."""
    return DECODED_WEIGHT * frame_bytes + EVENT_OVERHEAD


class Budget:
    """How many events and how much memory one call may still take from one relay. Each event is
    charged its decoded size (`decoded_size`), not only its frame, so the cap bounds what is held."""

    def __init__(self, max_events: int, max_bytes: int) -> None:
        self.events_left = max_events
        self.bytes_left = max_bytes

    def charge(self, frame_bytes: int) -> bool:
        self.events_left -= 1
        self.bytes_left -= decoded_size(frame_bytes)
        return self.events_left >= 0 and self.bytes_left >= 0


class Page:
    """What one subscription brought up to EOSE. `candidates` are the events that matched the
    filter, not yet known to be valid: enough to decide on the next page while `verified()` waits
    for the checks still running."""

    def __init__(
        self,
        candidates: list[Event],
        received: int,
        unrequested: int,
        checks: list[tuple[list[Event], "asyncio.Future[list[bool]]"]],
    ) -> None:
        self.candidates = candidates
        self.received = received
        self.unrequested = unrequested
        self._checks = checks

    async def verified(self) -> tuple[list[Event], int]:
        """The valid events and how many were dropped as invalid."""
        events: list[Event] = []
        invalid = 0
        for batch, check in self._checks:
            for event, valid in zip(batch, await check, strict=True):
                if valid:
                    events.append(event)
                else:
                    invalid += 1
        return events, invalid

    def abandon(self) -> None:
        for _, check in self._checks:
            check.cancel()


class Subscription:
    """Fed by the connection's reader; `done` resolves at EOSE or fails with a RelayError."""

    def __init__(
        self,
        filter_: Filter,
        budget: Budget,
        verifier: EventVerifier,
        *,
        keep: bool = True,
    ) -> None:
        self.filter = filter_
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._budget = budget
        self._verifier = verifier
        self._keep = keep  # False: count what arrives, keep and check nothing
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
        if not self._keep:
            return
        if not matches(self.filter, event):
            self._unrequested += 1
            return
        self._batch.append(event)
        if len(self._batch) >= VERIFY_BATCH:
            self._submit()

    def finish(self) -> None:
        if not self.done.done():
            self._submit()
            self.done.set_result(None)

    def fail(self, error: RelayError) -> None:
        if not self.done.done():
            self.done.set_exception(error)
            self.abandon()

    def abandon(self) -> None:
        """Cancels the checks still running: nobody will read this page."""
        self._batch = []
        for _, check in self._checks:
            check.cancel()

    @property
    def failure(self) -> BaseException | None:
        if self.done.done() and not self.done.cancelled():
            return self.done.exception()
        return None

    async def page(self) -> Page:
        """Waits for EOSE (raising what failed the subscription); verification may still run."""
        await self.done
        candidates = [event for batch, _ in self._checks for event in batch]
        return Page(candidates, self._received, self._unrequested, self._checks)

    def _submit(self) -> None:
        if self._batch:
            batch, self._batch = self._batch, []
            self._checks.append((batch, asyncio.ensure_future(self._verifier.check_async(batch))))
