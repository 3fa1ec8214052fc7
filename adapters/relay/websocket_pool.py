"""RelayPort over websockets: every call fans out to all relays and merges verified events by id."""

import asyncio
import contextlib
import logging
import math
import os
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar
from urllib.parse import urlsplit

import httpx
from prometheus_client import CollectorRegistry

from adapters.relay.chunking import split_filter
from adapters.relay.circuit_breaker import CircuitBreaker
from adapters.relay.config import DEFAULT_LIMITS, DEFAULT_TIMEOUTS, MIB, RelayLimits, RelayTimeouts
from adapters.relay.connection import RelayConnection
from adapters.relay.connection_group import ConnectionGroup
from adapters.relay.errors import (
    ConnectionLost,
    CountUnanswered,
    CountUnsupported,
    RateLimited,
    RelayError,
)
from adapters.relay.metrics import RelayMetrics
from adapters.relay.nip11 import RelayInformation, fetch_information
from adapters.relay.paging import Pager, RelayReading, first_leaf
from adapters.relay.subscription import Budget, Page
from adapters.relay.verification import EventVerifier
from domain.nostr.event import Event, Filter
from domain.nostr.filters import can_match, select_any
from domain.nostr.nip19 import decode_nsec
from domain.nostr.ports import RelayUnavailable
from domain.nostr.replaceable import latest_per_author

logger = logging.getLogger(__name__)

RATE_LIMIT_PAUSE = 0.25
# The probe keeps nothing; this bounds only what it lets the relay send.
PROBE_BYTES = 256 * MIB
MAX_RATE_LIMIT_PAUSE = 4.0
_T = TypeVar("_T")


class _Relay:
    def __init__(self, group: ConnectionGroup, breaker: CircuitBreaker, page_size: int) -> None:
        self.group = group
        self.breaker = breaker
        self.reading = RelayReading(page_size)
        self.information: RelayInformation | None = None
        # From NIP-11: False when the document lists its NIPs without 45.
        self.count_announced: bool | None = None
        # Until when COUNT is not sent here (it went unanswered or was refused), on the pool's clock.
        self.count_off_until = 0.0

    @property
    def url(self) -> str:
        return self.group.primary.url


class WebsocketRelayPool:
    """Reads and writes Nostr events on a fixed list of relays (see docs/relay.md).

    Each call has an overall `timeouts.deadline`; once one relay has answered, the others get at
    most `timeouts.straggler_grace` more seconds. A call fails with RelayUnavailable only when no
    relay answered. Every event is verified (id recomputed, signature checked) before it is used;
    from one relay one call takes at most `limits.max_events` events and `limits.max_bytes` bytes of
    memory (decoded events). Each relay gets up to `limits.connections_per_relay` connections of
    `limits.max_concurrent_subscriptions` calls each (fewer when its NIP-11 document says so); a
    call takes the least-loaded one.
    """

    def __init__(
        self,
        urls: Sequence[str],
        *,
        service_secret_key: str | None = None,
        limits: RelayLimits = DEFAULT_LIMITS,
        timeouts: RelayTimeouts = DEFAULT_TIMEOUTS,
        compression: bool | None = None,
        registry: CollectorRegistry | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        urls = list(dict.fromkeys(urls))
        if not urls:
            raise ValueError("at least one relay URL is needed")
        for url in urls:
            if not url.startswith(("ws://", "wss://")):
                raise ValueError(f"a relay URL starts with ws:// or wss://, got {url!r}")
        if service_secret_key is not None and service_secret_key.startswith("nsec1"):
            service_secret_key = decode_nsec(service_secret_key)
        self._limits = limits
        self._timeouts = timeouts
        self._parallel_windows = max(1, limits.parallel_windows)
        # An unanswered COUNT gives up well before the call's deadline, so fetching can follow.
        self._count_timeout = min(timeouts.count, timeouts.deadline / 2)
        self._clock = clock
        workers = limits.verify_workers
        self._verify_workers = (os.cpu_count() or 1) if workers is None else workers
        self.metrics = RelayMetrics(registry or CollectorRegistry())
        self._executor: ThreadPoolExecutor | None = None
        self._verifier = EventVerifier(None, cache_size=limits.verified_cache_size)

        def connections_to(url: str) -> ConnectionGroup:
            def make(keep_open: bool) -> RelayConnection:
                return RelayConnection(
                    url,
                    verifier=self._verifier,
                    metrics=self.metrics,
                    service_secret_key=service_secret_key,
                    limits=limits,
                    timeouts=timeouts,
                    compression=_is_remote(url) if compression is None else compression,
                    keep_open=keep_open,
                )

            return ConnectionGroup(
                make, size=limits.connections_per_relay, per_connection=limits.max_concurrent_subscriptions
            )

        self._relays = [
            _Relay(
                connections_to(url),
                CircuitBreaker(
                    failure_threshold=limits.breaker_failures,
                    first_trial_after=timeouts.breaker_first_trial_after,
                    max_trial_after=timeouts.breaker_max_trial_after,
                ),
                limits.page_size,
            )
            for url in urls
        ]
        self._background: set[asyncio.Task[None]] = set()
        self._http: httpx.AsyncClient | None = None
        self._started = False

    async def start(self) -> None:
        """Opens the connections and reads each relay's NIP-11 document, both in the background."""
        if self._started:
            return
        self._started = True
        if self._verify_workers > 0:
            self._executor = ThreadPoolExecutor(self._verify_workers, thread_name_prefix="nostr-verify")
            self._verifier.use_executor(self._executor)
        self._http = httpx.AsyncClient(timeout=self._timeouts.information, follow_redirects=False)
        for relay in self._relays:
            self._in_background(self._warm_up(relay))

    async def close(self) -> None:
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        await asyncio.gather(*(relay.group.close() for relay in self._relays), return_exceptions=True)
        if self._http is not None:
            await self._http.aclose()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
        self._started = False

    async def query(self, filters: Sequence[Filter]) -> list[Event]:
        wanted = [filter_ for filter_ in filters if can_match(filter_)]
        if not wanted:
            return []
        outcomes = await self._fan_out("query", lambda relay: self._query_relay(relay, wanted))
        merged: dict[str, Event] = {}
        for events in outcomes:
            for event in events:
                merged.setdefault(event.id, event)
        return select_any(wanted, list(merged.values()))

    async def count(self, filters: Sequence[Filter]) -> int | None:
        wanted = [filter_ for filter_ in filters if can_match(filter_)]
        if not wanted:
            return 0
        requests = self._count_requests(wanted)
        if requests is None:
            return None
        now = self._clock()
        candidates = [
            relay
            for relay in self._relays
            if relay.count_announced is not False and relay.count_off_until <= now
        ]
        if not candidates:
            return None
        try:
            counts = await self._fan_out(
                "count",
                lambda relay: self._count_relay(relay, requests),
                relays=candidates,
                quiet=CountUnsupported,
                unanswered_is_quiet=True,
            )
        except _NoneSupported:
            return None
        return max(counts)

    async def latest_replaceable(self, authors: Sequence[str], kind: int) -> dict[str, Event]:
        unique = tuple(dict.fromkeys(authors))
        if not unique:
            return {}
        events = await self.query([Filter(authors=unique, kinds=(kind,))])
        return latest_per_author(events, kind)

    async def publish(self, events: Sequence[Event]) -> int:
        await self.start()
        checks = await self._verifier.check_async(events)
        valid = list({event.id: event for event, ok in zip(events, checks, strict=True) if ok}.values())
        if not valid:
            return 0
        relays = [relay for relay in self._relays if relay.breaker.allow()]
        if not relays:
            raise RelayUnavailable("every relay is failing, events not sent", self._retry_after())
        accepted: set[str] = set()
        results = await asyncio.gather(
            *(self._publish_relay(relay, valid) for relay in relays), return_exceptions=True
        )
        failures = []
        for relay, result in zip(relays, results, strict=True):
            if isinstance(result, BaseException):
                failures.append(_describe(result, relay.url))
                self._settle(relay, result)
            else:
                accepted |= result
                self._settle(relay, None)
        if len(failures) == len(relays):
            raise RelayUnavailable("no relay took the events: " + "; ".join(failures))
        return len(accepted)

    async def ping(self) -> None:
        await self.start()
        if any(relay.group.is_connected for relay in self._relays):
            return
        await self._fan_out("ping", self._ping_relay)

    def information(self, url: str) -> RelayInformation | None:
        """The relay's NIP-11 document as read at start (None until read, or when it has none)."""
        return next((relay.information for relay in self._relays if relay.url == url), None)

    # --- one relay ---------------------------------------------------------------------------

    async def _query_relay(self, relay: _Relay, filters: list[Filter]) -> list[Event]:
        budget = Budget(self._limits.max_events, self._limits.max_bytes)
        pieces = [piece for filter_ in filters for piece in split_filter(filter_, self._limits.chunk_size)]

        async def fetch_page(filter_: Filter) -> Page:
            return await self._fetch_page(relay, filter_, budget)

        def record(events: list[Event], invalid: int, unrequested: int) -> None:
            self._record(relay, events, invalid, unrequested)

        pager = Pager(fetch_page, relay.reading, self._parallel_windows, record)
        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(pager.fetch_all(piece)) for piece in pieces]
        except BaseExceptionGroup as failed:
            raise first_leaf(failed) from None
        return [event for task in tasks for event in task.result()]

    async def _fetch_page(self, relay: _Relay, filter_: Filter, budget: Budget, keep: bool = True) -> Page:
        """One REQ, tried again on a fresh connection if the old one dropped, and after a pause if
        the relay says it is rate-limited; the caller's deadline bounds the retries."""
        pause = RATE_LIMIT_PAUSE
        reconnected = False
        while True:
            try:
                async with relay.group.lease() as connection:
                    return await connection.fetch(filter_, budget, keep=keep)
            except ConnectionLost:
                if reconnected:
                    raise
                reconnected = True
            except RateLimited:
                await asyncio.sleep(pause)
                pause = min(pause * 2, MAX_RATE_LIMIT_PAUSE)

    async def _count_relay(self, relay: _Relay, requests: list[list[Filter]]) -> int:
        """The sum of the COUNT answers (the requests select disjoint events). A COUNT refused, left
        unanswered for `count_timeout` or answered with anything but a non-negative integer turns
        COUNT off on that relay for `count_retry_after` seconds; it is tried again after that."""
        total = 0
        try:
            async with asyncio.timeout(self._count_timeout):
                for request in requests:
                    async with relay.group.lease() as connection:
                        total += await connection.count(request)
        except (CountUnsupported, TimeoutError) as error:
            retry_after = self._timeouts.count_retry_after
            relay.count_off_until = self._clock() + retry_after
            logger.info("COUNT off for %ss on %s: %s", retry_after, relay.url, str(error) or "no answer")
            if isinstance(error, TimeoutError):
                raise CountUnanswered(f"{relay.url}: COUNT not answered") from error
            raise
        return total

    async def _publish_relay(self, relay: _Relay, events: list[Event]) -> set[str]:
        try:
            async with relay.group.lease() as connection:
                return await connection.publish(events, idle_timeout=self._timeouts.deadline)
        except ConnectionLost:
            # Events the relay already stored come back as `duplicate:`, which counts as accepted.
            async with relay.group.lease() as connection:
                return await connection.publish(events, idle_timeout=self._timeouts.deadline)

    async def _ping_relay(self, relay: _Relay) -> None:
        await relay.group.primary.ready()

    # --- fan-out ------------------------------------------------------------------------------

    async def _fan_out(
        self,
        what: str,
        call: Callable[[_Relay], Awaitable[_T]],
        *,
        relays: Sequence[_Relay] | None = None,
        quiet: type[RelayError] | None = None,
        unanswered_is_quiet: bool = False,
    ) -> list[_T]:
        """Runs `call` on every relay whose breaker allows it; returns the results of those that
        answered. Raises RelayUnavailable when none did (_NoneSupported when every relay that
        answered refused the call as `quiet`). With `unanswered_is_quiet`, a relay cut off by the
        deadline counts as refusing, not as failing."""
        await self.start()
        loop = asyncio.get_running_loop()
        candidates = []
        for relay in relays if relays is not None else self._relays:
            if relay.breaker.allow():
                candidates.append(relay)
            else:
                self.metrics.skipped.labels(relay.url).inc()
        if not candidates:
            raise RelayUnavailable(
                f"every relay is failing; {what} not sent", retry_after=self._retry_after()
            )
        tasks = {asyncio.ensure_future(call(relay)): relay for relay in candidates}
        outcomes: dict[str, _T | BaseException] = {}
        cutoff = loop.time() + self._timeouts.deadline
        pending = set(tasks)
        try:
            while pending and (left := cutoff - loop.time()) > 0:
                done, pending = await asyncio.wait(pending, timeout=left, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    error = task.exception()
                    outcomes[tasks[task].url] = error if error is not None else task.result()
                    if error is None:
                        cutoff = min(cutoff, loop.time() + self._timeouts.straggler_grace)
        except BaseException:
            for relay in candidates:
                relay.breaker.abandon()
            raise
        finally:
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        answers: list[_T] = []
        failures: list[str] = []
        refused = 0
        for relay in candidates:
            outcome = outcomes.get(relay.url, TimeoutError(f"no answer within the {what} deadline"))
            if unanswered_is_quiet and relay.url not in outcomes:
                refused += 1
                relay.breaker.abandon()
                continue
            if quiet is not None and isinstance(outcome, quiet):
                refused += 1
                # A refusal shows the relay alive; silence shows nothing either way.
                if isinstance(outcome, CountUnanswered):
                    relay.breaker.abandon()
                else:
                    relay.breaker.record_success()
                continue
            self._settle(relay, outcome if isinstance(outcome, BaseException) else None)
            if isinstance(outcome, BaseException):
                failures.append(_describe(outcome, relay.url))
            else:
                answers.append(outcome)
        if answers:
            return answers
        if refused:
            raise _NoneSupported
        raise RelayUnavailable(f"no relay answered the {what}: " + "; ".join(failures))

    def _settle(self, relay: _Relay, error: BaseException | None) -> None:
        if error is None:
            relay.breaker.record_success()
        elif isinstance(error, asyncio.CancelledError):
            relay.breaker.abandon()
        else:
            relay.breaker.record_failure()
            reason = error.reason if isinstance(error, RelayError) else _reason(error)
            self.metrics.failures.labels(relay.url, reason).inc()
            logger.info("relay call failed: %s", _describe(error, relay.url))
        self.metrics.breaker_open.labels(relay.url).set(1 if relay.breaker.is_open else 0)
        self.metrics.breaker_cool_down.labels(relay.url).set(relay.breaker.cool_down)

    def _record(self, relay: _Relay, events: list[Event], invalid: int, unrequested: int) -> None:
        self.metrics.events.labels(relay.url).inc(len(events))
        if invalid:
            self.metrics.invalid_events.labels(relay.url).inc(invalid)
        if unrequested:
            self.metrics.unrequested_events.labels(relay.url).inc(unrequested)

    def _count_requests(self, filters: list[Filter]) -> list[list[Filter]] | None:
        """The COUNT messages whose answers add up to the count of `filters`, or None when no such
        split exists: several filters that need chunking could overlap, and so do chunks of a tag
        list (one event may tag keys in two chunks). Chunks of `ids` and `authors` are disjoint."""
        if len(filters) == 1:
            only = filters[0]
            if any(len(values) > self._limits.chunk_size for values in (only.tags or {}).values()):
                return None
            return [[piece] for piece in split_filter(only, self._limits.chunk_size)]
        if all(len(split_filter(filter_, self._limits.chunk_size)) == 1 for filter_ in filters):
            return [filters]
        return None

    def _retry_after(self) -> int:
        return max(
            1, math.ceil(min((relay.breaker.seconds_until_trial() for relay in self._relays), default=5))
        )

    def _in_background(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _warm_up(self, relay: _Relay) -> None:
        assert self._http is not None
        with contextlib.suppress(RelayError):
            await relay.group.primary.ready()
        information = await fetch_information(self._http, relay.url)
        relay.information = information
        if information is not None:
            relay.count_announced = information.supports_count
            relay.reading.announced_max_limit = information.limitation.valid_max_limit
            if (subscriptions := information.limitation.valid_max_subscriptions) is not None:
                relay.group.limit_subscriptions(subscriptions)
        await self._probe_page_size(relay)

    async def _probe_page_size(self, relay: _Relay) -> None:
        """Asks once for a page of anything: the events it brings show how many the relay sends in
        one page, so later pages shorter than that are taken for the end without a follow-up."""
        asked = relay.reading.page_size
        try:
            async with asyncio.timeout(self._timeouts.deadline):
                page = await self._fetch_page(
                    relay, Filter(limit=asked), Budget(asked, PROBE_BYTES), keep=False
                )
        except (RelayError, TimeoutError):
            return
        relay.reading.prove(page.received)


class _NoneSupported(Exception):
    """Every relay that answered refused the call (COUNT unsupported)."""


def _is_remote(url: str) -> bool:
    """permessage-deflate saves bandwidth to remote relays; to a relay on this machine it only costs
    CPU on both ends."""
    host = urlsplit(url).hostname or ""
    return not (host == "localhost" or host == "::1" or host.startswith("127."))


def _reason(error: BaseException) -> str:
    return "timeout" if isinstance(error, TimeoutError) else "error"


def _describe(error: BaseException, url: str) -> str:
    text = str(error) or type(error).__name__
    return text if text.startswith(url) else f"{url}: {text}"
