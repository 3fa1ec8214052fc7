"""One websocket to one relay, with subscriptions multiplexed over it."""

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

from adapters.relay.config import DEFAULT_LIMITS, DEFAULT_TIMEOUTS, RelayLimits, RelayTimeouts
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
# AUTH answers signed per socket at most: a relay that keeps challenging gets no more signatures.
MAX_AUTH_ANSWERS = 8
# Frames websockets may hold decoded-but-unread per socket; with 4 MiB frames this bounds the backlog.
MAX_QUEUED_FRAMES = 4


def _stored(ok: bool, message: str) -> bool:
    return ok or message.startswith(DUPLICATE_PREFIX)


def _valid_count(value: object) -> int | None:
    """A NIP-45 count is a non-negative integer; anything else is discarded."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


class Backoff:
    """Exponential delay with jitter between connection attempts, reset by a success."""

    JITTER = 1.25

    def __init__(self, initial: float = 0.25, maximum: float = 30.0) -> None:
        self._initial = initial
        self._maximum = maximum
        self._next = initial

    def next_delay(self) -> float:
        delay = self._next
        self._next = min(self._next * 2, self._maximum)
        return delay * random.uniform(0.75, self.JITTER)

    def reset(self) -> None:
        self._next = self._initial


class _Session:
    """What belongs to one socket: its subscriptions, pending answers and AUTH state. A socket that
    goes away fails only what was sent on it."""

    def __init__(self, ws: ClientConnection, number: int) -> None:
        self.ws = ws
        self.number = number
        self.subscriptions: dict[str, Subscription] = {}
        self.counts: dict[str, asyncio.Future[int]] = {}
        self.oks: dict[str, asyncio.Future[tuple[bool, str]]] = {}
        self.authenticated = asyncio.Event()
        self.auth_in_flight: str | None = None
        self.next_challenge: str | None = None
        self.auth_answers = 0

    @property
    def is_open(self) -> bool:
        return self.ws.state is State.OPEN

    def fail(self, error: RelayError) -> None:
        for subscription in list(self.subscriptions.values()):
            subscription.fail(error)
        waiters: list[asyncio.Future[Any]] = [*self.counts.values(), *self.oks.values()]
        for waiter in waiters:
            if not waiter.done():
                waiter.set_exception(error)
                waiter.exception()  # nobody may be left to retrieve it


class RelayConnection:
    """Connects on demand and keeps the socket open. With `keep_open`, a dropped socket is reopened
    in the background with backoff; while backing off, calls fail at once with RelayDown."""

    def __init__(
        self,
        url: str,
        *,
        verifier: EventVerifier,
        metrics: RelayMetrics,
        service_secret_key: str | None = None,
        limits: RelayLimits = DEFAULT_LIMITS,
        timeouts: RelayTimeouts = DEFAULT_TIMEOUTS,
        compression: bool = True,
        keep_open: bool = True,
    ) -> None:
        self.url = url
        self._verifier = verifier
        self._service_key = service_secret_key
        self._max_frame_bytes = limits.max_frame_bytes
        self._timeouts = timeouts
        self._compression = compression
        self._keep_open = keep_open
        self._decoder = relay_message_decoder()
        self._encoder = ClientEncoder()
        self._session: _Session | None = None
        self._readers: set[asyncio.Task[None]] = set()
        self._reconnect: asyncio.Task[None] | None = None
        self._connect_lock = asyncio.Lock()
        # The longest wait between two attempts, jitter included, is three quarters of the
        # breaker's first cool-down, so the breaker's trial call after a relay's return is never
        # refused by this backoff: WoT answers again within 3 s of a relay's return (F3). A relay
        # that stays down costs less than two attempts a second per connection.
        self._backoff = Backoff(maximum=timeouts.breaker_first_trial_after * 0.75 / Backoff.JITTER)
        self._retry_at = 0.0
        self._last_error = "not connected yet"
        self._closing = False
        self._ids = itertools.count(1)
        self._sockets = itertools.count(1)
        # Calls leased on this connection (set by the ConnectionGroup that owns it).
        self.in_flight = 0
        self._frames_invalid = metrics.invalid_frames.labels(url)
        self._bytes = metrics.received_bytes.labels(url)
        self._notices = metrics.notices.labels(url)
        self._connected_gauge = metrics.connected.labels(url)

    @property
    def is_connected(self) -> bool:
        return self._open_session() is not None

    @property
    def is_backing_off(self) -> bool:
        return self._open_session() is None and time.monotonic() < self._retry_at

    @property
    def open_subscriptions(self) -> int:
        """Subscriptions and COUNTs registered on the current socket."""
        session = self._session
        return 0 if session is None else len(session.subscriptions) + len(session.counts)

    async def ready(self) -> ClientConnection:
        """The open socket, connecting first if needed. Bound the wait with the caller's deadline."""
        return (await self._ready_session()).ws

    async def _ready_session(self) -> _Session:
        if (session := self._open_session()) is not None:
            return session
        async with self._connect_lock:
            if (session := self._open_session()) is not None:
                return session
            if self._closing:
                raise RelayDown(f"{self.url}: the pool is closed")
            if time.monotonic() < self._retry_at:
                raise RelayDown(f"{self.url}: backing off after: {self._last_error}")
            return await self._connect()

    def _open_session(self) -> _Session | None:
        # The reader notices a closed socket a moment after a failed send does; do not hand it out.
        session = self._session
        return session if session is not None and session.is_open else None

    async def close(self) -> None:
        self._closing = True
        if self._reconnect is not None:
            self._reconnect.cancel()
        session = self._session
        if session is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(session.ws.close(), 1.0)
        readers = [*self._readers, *([self._reconnect] if self._reconnect is not None else [])]
        for task in readers:
            task.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        if session is not None:
            session.fail(ConnectionLost(f"{self.url}: the pool is closed"))

    async def fetch(self, filter_: Filter, budget: Budget, *, keep: bool = True) -> Page:
        """Events the relay holds for one filter, up to its EOSE (the caller bounds the time).
        With `keep=False` the page only counts what arrived."""
        try:
            return await self._fetch_once(filter_, budget, keep)
        except AuthRequired:
            if self._service_key is None:
                raise
            session = await self._ready_session()
            await session.authenticated.wait()
            return await self._fetch_once(filter_, budget, keep)

    async def count(self, filters: Sequence[Filter]) -> int:
        session = await self._ready_session()
        subscription_id = self._next_id("c")
        answer: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        session.counts[subscription_id] = answer
        try:
            await session.ws.send(self._encoder.count(subscription_id, filters), text=True)
            return await answer
        except ConnectionClosed as error:
            raise ConnectionLost(f"{self.url}: connection lost ({error})") from error
        finally:
            session.counts.pop(subscription_id, None)

    async def publish(self, events: Sequence[Event], idle_timeout: float) -> set[str]:
        """Sends the events and returns the ids the relay accepted (or already had).

        Fails when no OK arrives for `idle_timeout` seconds, so large batches are bounded by progress.
        Events refused with `auth-required:` are sent once more after authenticating.
        """
        answers = await self._send_events(events, idle_timeout)
        accepted = {event_id for event_id, (ok, message) in answers.items() if _stored(ok, message)}
        refused = [e for e in events if answers[e.id][1].startswith(AUTH_REQUIRED_PREFIX)]
        if refused and self._service_key is not None:
            session = await self._ready_session()
            await asyncio.wait_for(session.authenticated.wait(), idle_timeout)
            answers = await self._send_events(refused, idle_timeout)
            accepted |= {event_id for event_id, (ok, message) in answers.items() if _stored(ok, message)}
        return accepted

    async def _send_events(self, events: Sequence[Event], idle_timeout: float) -> dict[str, tuple[bool, str]]:
        session = await self._ready_session()
        loop = asyncio.get_running_loop()
        waiting: dict[str, asyncio.Future[tuple[bool, str]]] = {}
        for event in events:
            if event.id not in waiting:
                waiting[event.id] = session.oks.setdefault(event.id, loop.create_future())
        try:
            for event in events:
                await session.ws.send(self._encoder.event(event), text=True)
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
                session.oks.pop(event_id, None)

    async def _fetch_once(self, filter_: Filter, budget: Budget, keep: bool) -> Page:
        session = await self._ready_session()
        subscription_id = self._next_id("q")
        subscription = Subscription(filter_, budget, self._verifier, keep=keep)
        session.subscriptions[subscription_id] = subscription
        try:
            await session.ws.send(self._encoder.req(subscription_id, [filter_]), text=True)
            result = await subscription.page()
        except ConnectionClosed as error:
            raise ConnectionLost(f"{self.url}: connection lost ({error})") from error
        except BaseException:
            # Checks still running for a page nobody will read are cancelled with it.
            subscription.abandon()
            raise
        finally:
            self._close_subscription(session, subscription_id, subscription)
        return result

    def _close_subscription(
        self, session: _Session, subscription_id: str, subscription: Subscription
    ) -> None:
        if session.subscriptions.pop(subscription_id, None) is None:
            return
        failure = subscription.failure
        relay_closed_it = isinstance(failure, RelayRefused | ConnectionLost)
        if session.is_open and not relay_closed_it:
            self._send_soon(session, self._encoder.close(subscription_id))

    def _send_soon(self, session: _Session, frame: bytes) -> None:
        async def send() -> None:
            with contextlib.suppress(ConnectionClosed, OSError):
                await session.ws.send(frame, text=True)

        task = asyncio.ensure_future(send())
        task.add_done_callback(lambda done: done.cancelled() or done.exception())

    async def _connect(self) -> _Session:
        try:
            ws = await asyncio.wait_for(
                connect(
                    self.url,
                    open_timeout=None,
                    max_size=self._max_frame_bytes,
                    max_queue=MAX_QUEUED_FRAMES,
                    compression="deflate" if self._compression else None,
                    ping_interval=20,
                    ping_timeout=20,
                    close_timeout=self._timeouts.close,
                ),
                self._timeouts.connect,
            )
        except (OSError, TimeoutError, InvalidHandshake, InvalidURI) as error:
            self._last_error = f"{type(error).__name__}: {error}"
            self._retry_at = time.monotonic() + self._backoff.next_delay()
            raise RelayDown(f"{self.url}: {self._last_error}") from error
        self._backoff.reset()
        self._retry_at = 0.0
        session = _Session(ws, next(self._sockets))
        self._session = session
        self._connected_gauge.inc()
        reader = asyncio.create_task(self._read(session), name=f"relay-reader {self.url} #{session.number}")
        self._readers.add(reader)
        reader.add_done_callback(self._readers.discard)
        return session

    async def _read(self, session: _Session) -> None:
        error: RelayError = ConnectionLost(f"{self.url}: connection lost")
        try:
            while True:
                frame = await session.ws.recv(decode=False)
                self._dispatch(session, frame if isinstance(frame, bytes) else frame.encode())
        except ConnectionClosed as closed:
            error = ConnectionLost(f"{self.url}: connection lost ({closed})")
        finally:
            self._connected_gauge.dec()
            session.fail(error)
            # A reader that ends late must not drop a newer socket opened meanwhile.
            if self._session is session:
                self._session = None
                self._last_error = str(error)
                if self._keep_open and not self._closing:
                    self._reconnect = asyncio.create_task(self._reconnect_in_background())

    async def _reconnect_in_background(self) -> None:
        while not self._closing and self._open_session() is None:
            await asyncio.sleep(max(self._retry_at - time.monotonic(), 0) or self._backoff.next_delay())
            with contextlib.suppress(RelayDown):
                await self._ready_session()

    def _dispatch(self, session: _Session, frame: bytes) -> None:
        self._bytes.inc(len(frame))
        try:
            message = self._decoder.decode(frame)
        except (msgspec.DecodeError, msgspec.ValidationError):
            self._frames_invalid.inc()
            return
        if isinstance(message, EventMessage):
            subscription = session.subscriptions.get(message.subscription_id)
            if subscription is not None:
                subscription.on_event(message.event, len(frame))
        elif isinstance(message, Eose):
            subscription = session.subscriptions.get(message.subscription_id)
            if subscription is not None:
                subscription.finish()
        elif isinstance(message, Closed):
            self._on_closed(session, message)
        elif isinstance(message, CountMessage):
            self._on_count(session, message)
        elif isinstance(message, Ok):
            if message.event_id == session.auth_in_flight:
                self._on_auth_answer(session, message)
            else:
                self._resolve(session.oks.pop(message.event_id, None), (message.accepted, message.message))
        elif isinstance(message, Notice):
            self._on_notice(session, message)
        elif isinstance(message, AuthChallenge):
            self._answer_challenge(session, message.challenge)

    def _on_count(self, session: _Session, message: CountMessage) -> None:
        answer = session.counts.pop(message.subscription_id, None)
        if answer is None:
            return
        count = _valid_count(message.result.count)
        if count is None:
            self._frames_invalid.inc()
            self._reject(answer, CountUnsupported(f"{self.url}: COUNT answered {message.result.count!r}"))
        else:
            self._resolve(answer, count)

    def _on_notice(self, session: _Session, message: Notice) -> None:
        self._notices.inc()
        logger.info("NOTICE from %s: %s", self.url, message.message[:200])
        # NIP-45: a relay without COUNT may answer it with a NOTICE, which names no subscription. Only
        # a NOTICE about COUNT ends the pending COUNTs; any other is just logged.
        if "count" in message.message.lower():
            for answer in session.counts.values():
                self._reject(answer, CountUnsupported(f"{self.url}: NOTICE {message.message[:200]!r}"))
            session.counts.clear()

    def _on_closed(self, session: _Session, message: Closed) -> None:
        subscription = session.subscriptions.get(message.subscription_id)
        text = f"{self.url}: CLOSED {message.message[:200]!r}"
        if subscription is not None:
            if message.message.startswith(AUTH_REQUIRED_PREFIX):
                subscription.fail(AuthRequired(text))
            elif message.message.startswith(RATE_LIMITED_PREFIX):
                subscription.fail(RateLimited(text))
            else:
                subscription.fail(RelayRefused(text))
            return
        answer = session.counts.pop(message.subscription_id, None)
        if answer is not None:
            self._reject(answer, CountUnsupported(text))

    def _answer_challenge(self, session: _Session, challenge: str) -> None:
        """One AUTH answer in flight per socket, at most MAX_AUTH_ANSWERS per socket; a challenge
        that comes while one is in flight waits (only the latest is kept)."""
        if self._service_key is None:
            return
        if session.auth_in_flight is not None:
            session.next_challenge = challenge
            return
        if session.auth_answers >= MAX_AUTH_ANSWERS:
            if session.auth_answers == MAX_AUTH_ANSWERS:
                logger.warning("%s keeps sending AUTH challenges; no more are answered", self.url)
                session.auth_answers += 1
            return
        session.auth_answers += 1
        auth = sign_event(
            self._service_key,
            kind=AUTH_KIND,
            tags=[["relay", self.url], ["challenge", challenge[:1024]]],
            content="",
            created_at=int(time.time()),
        )
        session.auth_in_flight = auth.id
        self._send_soon(session, self._encoder.auth(auth))

    def _on_auth_answer(self, session: _Session, message: Ok) -> None:
        session.auth_in_flight = None
        if message.accepted:
            session.authenticated.set()
        else:
            logger.warning("%s refused our AUTH: %s", self.url, message.message[:200])
        waiting, session.next_challenge = session.next_challenge, None
        if waiting is not None:
            self._answer_challenge(session, waiting)

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
