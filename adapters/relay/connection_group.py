"""A small pool of connections to one relay: each call leases the least-loaded one."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

from adapters.relay.connection import RelayConnection


class ConnectionGroup:
    """Up to `size` connections to one relay, each carrying at most `per_connection` calls at a time.

    The first connection is opened at start and kept open; the others are opened when every open
    one is busy, so a slow call (a large COUNT, a long page) does not hold cheap calls behind it on
    the same socket. A call waits only when every connection is full.
    """

    def __init__(self, make: Callable[[bool], RelayConnection], *, size: int, per_connection: int) -> None:
        if size < 1 or per_connection < 1:
            raise ValueError("a relay needs at least one connection and one subscription per connection")
        self.connections = [make(index == 0) for index in range(size)]
        self._per_connection = per_connection
        self._freed = asyncio.Condition()

    @property
    def primary(self) -> RelayConnection:
        return self.connections[0]

    @property
    def is_connected(self) -> bool:
        return any(connection.is_connected for connection in self.connections)

    @property
    def per_connection(self) -> int:
        return self._per_connection

    def limit_subscriptions(self, per_connection: int) -> None:
        """Lowers the calls per connection (a relay's NIP-11 `max_subscriptions`)."""
        self._per_connection = max(1, min(self._per_connection, per_connection))

    @contextlib.asynccontextmanager
    async def lease(self) -> AsyncIterator[RelayConnection]:
        """The least-loaded connection, held for one call."""
        async with self._freed:
            await self._freed.wait_for(lambda: self._pick() is not None)
            connection = self._pick()
            assert connection is not None
            connection.in_flight += 1
        try:
            yield connection
        finally:
            connection.in_flight -= 1
            async with self._freed:
                self._freed.notify()

    def _pick(self) -> RelayConnection | None:
        free = [c for c in self.connections if c.in_flight < self._per_connection]
        if not free:
            return None
        open_ = [c for c in free if c.is_connected]
        idle = min(open_, key=lambda c: c.in_flight, default=None)
        if idle is not None and idle.in_flight == 0:
            return idle
        # Every open connection is busy: open another if one may be opened.
        unopened = [c for c in free if not c.is_connected and not c.is_backing_off]
        if unopened:
            return min(unopened, key=lambda c: c.in_flight)
        if idle is not None:
            return idle
        return min(free, key=lambda c: c.in_flight)

    async def close(self) -> None:
        await asyncio.gather(*(c.close() for c in self.connections), return_exceptions=True)
