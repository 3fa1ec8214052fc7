"""Reads of single authors' events, shared by concurrent scores: one filter for many authors."""

import asyncio
from collections.abc import Sequence

from domain.nostr.event import Event, Filter
from domain.nostr.ports import RelayPort


class _Read:
    """One filter in flight for several authors, and the callers waiting on it."""

    def __init__(self, authors: dict[str, list[asyncio.Future[list[Event]]]]) -> None:
        self.authors = authors
        self.task: asyncio.Task[None] | None = None

    def waiting(self) -> int:
        return sum(1 for futures in self.authors.values() for future in futures if not future.done())


class BatchedAuthorReads:
    """`events_of(pubkey)`: the pubkey's events of `kinds`, read with every other pubkey asked meanwhile.

    At most `max_in_flight` reads are out at once; callers that come while they are out queue, and
    when one comes back everyone queued goes out in one filter (up to `max_authors` authors). Under
    light load a read goes out at once and alone; under load, many scores share one request. A read
    whose callers have all gone is cancelled.
    """

    def __init__(
        self, relay: RelayPort, kinds: Sequence[int], *, max_in_flight: int = 4, max_authors: int = 100
    ) -> None:
        self._relay = relay
        self._kinds = tuple(kinds)
        self._max_in_flight = max_in_flight
        self._max_authors = max_authors
        self._queued: dict[str, list[asyncio.Future[list[Event]]]] = {}
        self._in_flight: set[_Read] = set()

    async def events_of(self, pubkey: str) -> list[Event]:
        future: asyncio.Future[list[Event]] = asyncio.get_running_loop().create_future()
        self._queued.setdefault(pubkey, []).append(future)
        self._send()
        try:
            return list(await future)
        except asyncio.CancelledError:
            await self._abandon(pubkey, future)
            raise

    def _send(self) -> None:
        while self._queued and len(self._in_flight) < self._max_in_flight:
            authors = dict(list(self._queued.items())[: self._max_authors])
            for pubkey in authors:
                del self._queued[pubkey]
            read = _Read(authors)
            self._in_flight.add(read)
            read.task = asyncio.create_task(self._read(read))

    async def _read(self, read: _Read) -> None:
        try:
            events = await self._relay.query([Filter(authors=tuple(read.authors), kinds=self._kinds)])
        except Exception as error:
            for futures in read.authors.values():
                for future in futures:
                    if not future.done():
                        future.set_exception(error)
        else:
            by_author: dict[str, list[Event]] = {pubkey: [] for pubkey in read.authors}
            for event in events:
                if event.pubkey in by_author:
                    by_author[event.pubkey].append(event)
            for pubkey, futures in read.authors.items():
                for future in futures:
                    if not future.done():
                        future.set_result(by_author[pubkey])
        finally:
            self._in_flight.discard(read)
            self._send()

    async def _abandon(self, pubkey: str, future: asyncio.Future[list[Event]]) -> None:
        queued = self._queued.get(pubkey)
        if queued is not None and future in queued:
            queued.remove(future)
            if not queued:
                del self._queued[pubkey]
            return
        read = next((read for read in self._in_flight if future in read.authors.get(pubkey, ())), None)
        if read is not None and read.task is not None and not read.task.done() and read.waiting() == 0:
            read.task.cancel()
            await asyncio.wait([read.task])
