"""One persistent websocket to one relay, with every subscription of the pool multiplexed over it."""

import asyncio
import contextlib
import itertools
import logging
import random
import time
from collections.abc import Sequence
from typing import Any

import msgspec
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.protocol import State

from adapters.relay.errors import (
    AuthRequired,
    ConnectionLost,
    CountUnsupported,
    RateLimited,
    RelayDown,
    RelayError,
    RelayRefused,
)
from adapters.relay.frames import (
    AuthChallenge,
    ClientEncoder,
    Closed,
    CountMessage,
    Eose,
    EventMessage,
    Notice,
    Ok,
    relay_message_decoder,
)
from adapters.relay.metrics import RelayMetrics
from adapters.relay.subscription import Budget, Page, Subscription
from adapters.relay.verification import EventVerifier
from domain.nostr.event import Event, Filter
from domain.nostr.signing import sign_event

logger = logging.getLogger(__name__)

AUTH_KIND = 22242
AUTH_REQUIRED_PREFIX = "auth-required:"
DUPLICATE_PREFIX = "duplicate:"
RATE_LIMITED_PREFIX = "rate-limited:"


def _stored(ok: bool, message: str) -> bool:
    return ok or message.startswith(DUPLICATE_PREFIX)


class Backoff:
    """Exponential delay with jitter between connection attempts, reset by a success."""

    def __init__(self, initial: float = 0.25, maximum: float = 30.0) -> None:
        self._initial = initial
        self._maximum = maximum
        self._next = initial

    def next_delay(self) -> float:
        delay = self._next
        self._next = min(self._next * 2, self._maximum)
        return delay * random.uniform(0.75, 1.25)

    def reset(self) -> None:
        self._next = self._initial


class RelayConnection:
    """Connects on demand, keeps the socket open, and reconnects with backoff after a drop.

    While a reconnection is backing off, calls fail at once with RelayDown instead of waiting.
    """

    def __init__(
        self,
        url: str,
        *,
        verifier: EventVerifier,
        metrics: RelayMetrics,
        service_secret_key: str | None = None,
        connect_timeout: float = 3.0,
        max_frame_bytes: int = 4 * 1024 * 1024,
        max_concurrent_subscriptions: int = 8,
        compression: bool = True,
    ) -> None:
        self.url = url
        self._verifier = verifier
        self._service_key = service_secret_key
        self._connect_timeout = connect_timeout
        self._max_frame_bytes = max_frame_bytes
        self._compression = compression
        self._decoder = relay_message_decoder()
        self._encoder = ClientEncoder()
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._reconnect: asyncio.Task[None] | None = None
        self._connect_lock = asyncio.Lock()
        self._backoff = Backoff()
        self._retry_at = 0.0
        self._last_error = "not connected yet"
        self._closing = False
        self._ids = itertools.count(1)
        self._subscriptions: dict[str, Subscription] = {}
        self._counts: dict[str, asyncio.Future[int]] = {}
        self._oks: dict[str, asyncio.Future[tuple[bool, str]]] = {}
        self._authenticated = asyncio.Event()
        self.slots = asyncio.Semaphore(max_concurrent_subscriptions)
        self._metrics = metrics
        self._frames_invalid = metrics.invalid_frames.labels(url)
        self._bytes = metrics.received_bytes.labels(url)
        self._notices = metrics.notices.labels(url)
        self._connected_gauge = metrics.connected.labels(url)

    @property
    def is_connected(self) -> bool:
        return self._open_socket() is not None

    async def ready(self) -> ClientConnection:
        """The open socket, connecting first if needed. Bound the wait with the caller's deadline."""
        if (ws := self._open_socket()) is not None:
            return ws
        async with self._connect_lock:
            if (ws := self._open_socket()) is not None:
                return ws
            if self._closing:
                raise RelayDown(f"{self.url}: the pool is closed")
            if time.monotonic() < self._retry_at:
                raise RelayDown(f"{self.url}: backing off after: {self._last_error}")
            return await self._connect()

    def _open_socket(self) -> ClientConnection | None:
        # The reader notices a closed socket a moment after a failed send does; do not hand it out.
        ws = self._ws
        return ws if ws is not None and ws.state is State.OPEN else None

    async def close(self) -> None:
        self._closing = True
        for task in (self._reconnect, self._reader):
            if task is not None:
                task.cancel()
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._ws.close(), 1.0)
        for task in (self._reconnect, self._reader):
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._fail_pending(ConnectionLost(f"{self.url}: the pool is closed"))

    async def fetch(self, filter_: Filter, budget: Budget) -> Page:
        """Events the relay holds for one filter, up to its EOSE (the caller bounds the time)."""
        try:
            return await self._fetch_once(filter_, budget)
        except AuthRequired:
            if self._service_key is None:
                raise
            await self._authenticated.wait()
            return await self._fetch_once(filter_, budget)

    async def count(self, filters: Sequence[Filter]) -> int:
        ws = await self.ready()
        subscription_id = self._next_id("c")
        answer: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._counts[subscription_id] = answer
        try:
            await ws.send(self._encoder.count(subscription_id, filters), text=True)
            return await answer
        except ConnectionClosed as error:
            raise ConnectionLost(f"{self.url}: connection lost ({error})") from error
        finally:
            self._counts.pop(subscription_id, None)

    async def publish(self, events: Sequence[Event], idle_timeout: float) -> set[str]:
        """Sends the events and returns the ids the relay accepted (or already had).

        Fails when no OK arrives for `idle_timeout` seconds, so large batches are bounded by progress.
        Events refused with `auth-required:` are sent once more after authenticating.
        """
        answers = await self._send_events(events, idle_timeout)
        accepted = {event_id for event_id, (ok, message) in answers.items() if _stored(ok, message)}
        refused = [e for e in events if answers[e.id][1].startswith(AUTH_REQUIRED_PREFIX)]
        if refused and self._service_key is not None:
            await asyncio.wait_for(self._authenticated.wait(), idle_timeout)
            answers = await self._send_events(refused, idle_timeout)
            accepted |= {event_id for event_id, (ok, message) in answers.items() if _stored(ok, message)}
        return accepted

    async def _send_events(self, events: Sequence[Event], idle_timeout: float) -> dict[str, tuple[bool, str]]:
        ws = await self.ready()
        loop = asyncio.get_running_loop()
        waiting: dict[str, asyncio.Future[tuple[bool, str]]] = {}
        for event in events:
            if event.id not in waiting:
                waiting[event.id] = self._oks.setdefault(event.id, loop.create_future())
        try:
            for event in events:
                await ws.send(self._encoder.event(event), text=True)
            pending = set(waiting.values())
            while pending:
                done, pending = await asyncio.wait(pending, timeout=idle_timeout)
                if not done:
                    raise TimeoutError(f"{self.url}: no OK for {idle_timeout}s")
            return {event_id: answer.result() for event_id, answer in waiting.items()}
        except ConnectionClosed as error:
            raise ConnectionLost(f"{self.url}: connection lost ({error})") from error
        finally:
            for event_id in waiting:
                self._oks.pop(event_id, None)

    async def _fetch_once(self, filter_: Filter, budget: Budget) -> Page:
        ws = await self.ready()
        subscription_id = self._next_id("q")
        subscription = Subscription(filter_, budget, self._verifier)
        self._subscriptions[subscription_id] = subscription
        try:
            await ws.send(self._encoder.req(subscription_id, [filter_]), text=True)
            result = await subscription.page()
        except ConnectionClosed as error:
            raise ConnectionLost(f"{self.url}: connection lost ({error})") from error
        except BaseException:
            self._close_subscription(subscription_id, subscription)
            raise
        self._close_subscription(subscription_id, subscription)
        return result

    def _close_subscription(self, subscription_id: str, subscription: Subscription) -> None:
        self._subscriptions.pop(subscription_id, None)
        failure = subscription.done.exception() if subscription.done.done() else None
        relay_closed_it = isinstance(failure, RelayRefused | ConnectionLost)
        if self._open_socket() is not None and not relay_closed_it:
            self._send_soon(self._encoder.close(subscription_id))

    def _send_soon(self, frame: bytes) -> None:
        ws = self._ws
        if ws is None:
            return

        async def send() -> None:
            with contextlib.suppress(ConnectionClosed, OSError):
                await ws.send(frame, text=True)

        task = asyncio.ensure_future(send())
        task.add_done_callback(lambda done: done.cancelled() or done.exception())

    async def _connect(self) -> ClientConnection:
        try:
            ws = await asyncio.wait_for(
                connect(
                    self.url,
                    open_timeout=None,
                    max_size=self._max_frame_bytes,
                    compression="deflate" if self._compression else None,
                    ping_interval=20,
                    ping_timeout=20,
                    close_timeout=2,
                ),
                self._connect_timeout,
            )
        except (OSError, TimeoutError, InvalidHandshake, InvalidURI) as error:
            self._last_error = f"{type(error).__name__}: {error}"
            self._retry_at = time.monotonic() + self._backoff.next_delay()
            raise RelayDown(f"{self.url}: {self._last_error}") from error
        self._backoff.reset()
        self._retry_at = 0.0
        self._authenticated.clear()
        self._ws = ws
        self._connected_gauge.set(1)
        self._reader = asyncio.create_task(self._read(ws), name=f"relay-reader {self.url}")
        return ws

    async def _read(self, ws: ClientConnection) -> None:
        error: RelayError = ConnectionLost(f"{self.url}: connection lost")
        try:
            while True:
                frame = await ws.recv(decode=False)
                self._dispatch(frame if isinstance(frame, bytes) else frame.encode())
        except ConnectionClosed as closed:
            error = ConnectionLost(f"{self.url}: connection lost ({closed})")
        finally:
            self._ws = None
            self._connected_gauge.set(0)
            self._last_error = str(error)
            self._fail_pending(error)
            if not self._closing:
                self._reconnect = asyncio.create_task(self._reconnect_in_background())

    async def _reconnect_in_background(self) -> None:
        while not self._closing and self._ws is None:
            await asyncio.sleep(max(self._retry_at - time.monotonic(), 0) or self._backoff.next_delay())
            with contextlib.suppress(RelayDown):
                await self.ready()

    def _fail_pending(self, error: RelayError) -> None:
        for subscription in list(self._subscriptions.values()):
            subscription.fail(error)
        waiters: list[asyncio.Future[Any]] = [*self._counts.values(), *self._oks.values()]
        for waiter in waiters:
            if not waiter.done():
                waiter.set_exception(error)
                waiter.exception()  # nobody may be left to retrieve it

    def _dispatch(self, frame: bytes) -> None:
        self._bytes.inc(len(frame))
        try:
            message = self._decoder.decode(frame)
        except (msgspec.DecodeError, msgspec.ValidationError):
            self._frames_invalid.inc()
            return
        if isinstance(message, EventMessage):
            subscription = self._subscriptions.get(message.subscription_id)
            if subscription is not None:
                subscription.on_event(message.event, len(frame))
        elif isinstance(message, Eose):
            subscription = self._subscriptions.get(message.subscription_id)
            if subscription is not None:
                subscription.finish()
        elif isinstance(message, Closed):
            self._on_closed(message)
        elif isinstance(message, CountMessage):
            self._resolve(self._counts.pop(message.subscription_id, None), message.result.count)
        elif isinstance(message, Ok):
            self._resolve(self._oks.pop(message.event_id, None), (message.accepted, message.message))
        elif isinstance(message, Notice):
            self._notices.inc()
            logger.info("NOTICE from %s: %s", self.url, message.message[:200])
            # NIP-45: a relay without COUNT may answer it with a NOTICE, which names no subscription.
            for answer in list(self._counts.values()):
                self._reject(answer, CountUnsupported(f"{self.url}: {message.message[:200]}"))
            self._counts.clear()
        elif isinstance(message, AuthChallenge):
            self._answer_challenge(message.challenge)

    def _on_closed(self, message: Closed) -> None:
        subscription = self._subscriptions.get(message.subscription_id)
        text = f"{self.url}: CLOSED {message.message[:200]!r}"
        if subscription is not None:
            if message.message.startswith(AUTH_REQUIRED_PREFIX):
                subscription.fail(AuthRequired(text))
            elif message.message.startswith(RATE_LIMITED_PREFIX):
                subscription.fail(RateLimited(text))
            else:
                subscription.fail(RelayRefused(text))
            return
        answer = self._counts.pop(message.subscription_id, None)
        if answer is not None:
            self._reject(answer, CountUnsupported(text))

    def _answer_challenge(self, challenge: str) -> None:
        if self._service_key is None or self._ws is None:
            return
        auth = sign_event(
            self._service_key,
            kind=AUTH_KIND,
            tags=[["relay", self.url], ["challenge", challenge]],
            content="",
            created_at=int(time.time()),
        )
        answer = self._oks.setdefault(auth.id, asyncio.get_running_loop().create_future())
        answer.add_done_callback(self._on_auth_answer)
        self._send_soon(self._encoder.auth(auth))

    def _on_auth_answer(self, answer: asyncio.Future[tuple[bool, str]]) -> None:
        if answer.cancelled() or answer.exception() is not None:
            return
        accepted, message = answer.result()
        if accepted:
            self._authenticated.set()
        else:
            logger.warning("%s refused our AUTH: %s", self.url, message[:200])

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids)}"

    @staticmethod
    def _resolve(waiter: "asyncio.Future[Any] | None", value: object) -> None:
        if waiter is not None and not waiter.done():
            waiter.set_result(value)

    @staticmethod
    def _reject(waiter: "asyncio.Future[Any]", error: RelayError) -> None:
        if not waiter.done():
            waiter.set_exception(error)
