"""RelayPort over websockets: every call fans out to all relays and merges verified events by id."""

import asyncio
import contextlib
import logging
import math
import os
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar
from urllib.parse import urlsplit

import httpx
import msgspec
from prometheus_client import CollectorRegistry

from adapters.relay.chunking import split_filter
from adapters.relay.circuit_breaker import CircuitBreaker
from adapters.relay.connection import RelayConnection
from adapters.relay.errors import ConnectionLost, CountUnsupported, RateLimited, RelayError
from adapters.relay.metrics import RelayMetrics
from adapters.relay.nip11 import RelayInformation, fetch_information
from adapters.relay.subscription import Budget, Page
from adapters.relay.verification import EventVerifier
from domain.nostr.event import Event, Filter
from domain.nostr.filters import can_match, select_any
from domain.nostr.nip19 import decode_nsec
from domain.nostr.replaceable import latest_per_author
from domain.ports.relay import RelayUnavailable

logger = logging.getLogger(__name__)

MIB = 1024 * 1024
RATE_LIMIT_PAUSE = 0.25
MAX_RATE_LIMIT_PAUSE = 4.0
_T = TypeVar("_T")


class _Relay:
    def __init__(self, connection: RelayConnection, breaker: CircuitBreaker, default_page_size: int) -> None:
        self.connection = connection
        self.breaker = breaker
        self.information: RelayInformation | None = None
        self.count_supported: bool | None = None
        self._default_page_size = default_page_size

    @property
    def url(self) -> str:
        return self.connection.url

    @property
    def page_size(self) -> int:
        announced = self.information.limitation.max_limit if self.information else None
        return min(announced, self._default_page_size) if announced else self._default_page_size


class WebsocketRelayPool:
    """Reads and writes Nostr events on a fixed list of relays (see docs/relay.md).

    Each call has an overall `deadline`; once one relay has answered, the others get at most
    `straggler_grace` more seconds. A call fails with RelayUnavailable only when no relay answered.
    Every event is verified (id recomputed, signature checked) before it is used; from one relay one
    call takes at most `max_events` events and `max_bytes` bytes of frames.
    """

    def __init__(
        self,
        urls: Sequence[str],
        *,
        service_secret_key: str | None = None,
        deadline: float = 5.0,
        max_events: int = 100_000,
        max_bytes: int = 64 * MIB,
        page_size: int = 500,
        chunk_size: int = 256,
        max_concurrent_subscriptions: int = 8,
        straggler_grace: float = 1.0,
        parallel_windows: int = 4,
        connect_timeout: float = 3.0,
        information_timeout: float = 3.0,
        breaker_failures: int = 3,
        breaker_reset_after: float = 30.0,
        max_frame_bytes: int = 4 * MIB,
        verify_workers: int | None = None,
        verified_cache_size: int = 200_000,
        compression: bool | None = None,
        registry: CollectorRegistry | None = None,
    ) -> None:
        urls = list(dict.fromkeys(urls))
        if not urls:
            raise ValueError("at least one relay URL is needed")
        for url in urls:
            if not url.startswith(("ws://", "wss://")):
                raise ValueError(f"a relay URL starts with ws:// or wss://, got {url!r}")
        if deadline <= 0 or page_size < 1 or chunk_size < 1 or max_events < 1 or max_bytes < 1:
            raise ValueError("deadline, page_size, chunk_size and the caps must be positive")
        if service_secret_key is not None and service_secret_key.startswith("nsec1"):
            service_secret_key = decode_nsec(service_secret_key)
        self._deadline = deadline
        self._max_events = max_events
        self._max_bytes = max_bytes
        self._chunk_size = chunk_size
        self._straggler_grace = straggler_grace
        self._parallel_windows = max(1, parallel_windows)
        self._information_timeout = information_timeout
        # 0 checks events on the event loop itself; None uses one worker thread per core.
        self._verify_workers = (os.cpu_count() or 1) if verify_workers is None else verify_workers
        self.metrics = RelayMetrics(registry or CollectorRegistry())
        self._executor: ThreadPoolExecutor | None = None
        self._verifier = EventVerifier(None, cache_size=verified_cache_size)
        self._relays = [
            _Relay(
                RelayConnection(
                    url,
                    verifier=self._verifier,
                    metrics=self.metrics,
                    service_secret_key=service_secret_key,
                    connect_timeout=connect_timeout,
                    max_frame_bytes=max_frame_bytes,
                    max_concurrent_subscriptions=max_concurrent_subscriptions,
                    compression=_is_remote(url) if compression is None else compression,
                ),
                CircuitBreaker(failure_threshold=breaker_failures, reset_after=breaker_reset_after),
                page_size,
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
        self._http = httpx.AsyncClient(timeout=self._information_timeout, follow_redirects=False)
        for relay in self._relays:
            self._in_background(self._warm_up(relay))

    async def close(self) -> None:
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        await asyncio.gather(*(relay.connection.close() for relay in self._relays), return_exceptions=True)
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
        candidates = [relay for relay in self._relays if relay.count_supported is not False]
        if not candidates:
            return None
        try:
            counts = await self._fan_out(
                "count",
                lambda relay: self._count_relay(relay, requests),
                relays=candidates,
                quiet=CountUnsupported,
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
        if any(relay.connection.is_connected for relay in self._relays):
            return
        await self._fan_out("ping", self._ping_relay)

    # --- one relay ---------------------------------------------------------------------------

    async def _query_relay(self, relay: _Relay, filters: list[Filter]) -> list[Event]:
        budget = Budget(self._max_events, self._max_bytes)
        pieces = [piece for filter_ in filters for piece in split_filter(filter_, self._chunk_size)]
        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(self._fetch_all(relay, piece, budget)) for piece in pieces]
        except BaseExceptionGroup as failed:
            raise _first_leaf(failed) from None
        return [event for task in tasks for event in task.result()]

    async def _fetch_all(self, relay: _Relay, filter_: Filter, budget: Budget) -> list[Event]:
        """Every event the relay has for the filter, paging with `until` while pages come back full.

        The next page is asked for at EOSE, from the events as received; their verification runs
        meanwhile and is awaited at the end, so checking one page overlaps fetching the next. When a
        filter without `limit` fills its first page, the older rest is split into time windows
        paged side by side (widths of one, two and four times the span of the first page, then
        everything older), so the relay prepares one page while the previous one is read.
        """
        pages: list[Page] = []
        try:
            first = await self._page_through(relay, filter_, budget, pages, max_pages=1)
            if first is not None:
                windows = _older_windows(filter_, first, self._parallel_windows)
                if len(windows) == 1:
                    await self._page_through(relay, windows[0], budget, pages)
                else:
                    try:
                        async with asyncio.TaskGroup() as group:
                            for window in windows:
                                group.create_task(self._page_through(relay, window, budget, pages))
                    except BaseExceptionGroup as failed:
                        raise _first_leaf(failed) from None
            collected: dict[str, Event] = {}
            for page in pages:
                events, invalid = await page.verified()
                self._record(relay, events, invalid, page.unrequested)
                for event in events:
                    collected.setdefault(event.id, event)
            return list(collected.values())
        finally:
            for page in pages:
                page.abandon()

    async def _page_through(
        self, relay: _Relay, filter_: Filter, budget: Budget, pages: list[Page], max_pages: int | None = None
    ) -> tuple[int, int] | None:
        """Pages through one filter, adding each page to `pages`. Returns None when the relay has no
        more, else the newest and oldest `created_at` of the last page (when `max_pages` stopped it)."""
        seen: set[str] = set()
        until = filter_.until
        page_size = relay.page_size
        fetched = 0
        while True:
            asked = page_size if filter_.limit is None else min(page_size, filter_.limit - len(seen))
            wanted = msgspec.structs.replace(filter_, until=until, limit=asked)
            page = await self._fetch_page(relay, wanted, budget)
            pages.append(page)
            fetched += 1
            fresh = [event for event in page.candidates if event.id not in seen]
            seen.update(event.id for event in fresh)
            if page.received < asked or not page.candidates:
                return None
            if filter_.limit is not None and len(seen) >= filter_.limit:
                return None
            oldest = min(event.created_at for event in page.candidates)
            if max_pages is not None and fetched >= max_pages and filter_.limit is None:
                return max(event.created_at for event in page.candidates), oldest
            # More than a page of events in one second: move past that second rather than loop.
            until = oldest if fresh else oldest - 1
            if filter_.since is not None and until < filter_.since:
                return None

    async def _fetch_page(self, relay: _Relay, filter_: Filter, budget: Budget) -> Page:
        """One REQ, tried again on a fresh connection if the old one dropped, and after a pause if
        the relay says it is rate-limited; the caller's deadline bounds the retries."""
        pause = RATE_LIMIT_PAUSE
        reconnected = False
        while True:
            try:
                async with relay.connection.slots:
                    return await relay.connection.fetch(filter_, budget)
            except ConnectionLost:
                if reconnected:
                    raise
                reconnected = True
            except RateLimited:
                await asyncio.sleep(pause)
                pause = min(pause * 2, MAX_RATE_LIMIT_PAUSE)

    async def _count_relay(self, relay: _Relay, requests: list[list[Filter]]) -> int:
        total = 0
        for request in requests:
            try:
                total += await relay.connection.count(request)
            except CountUnsupported:
                relay.count_supported = False
                raise
        relay.count_supported = True
        return total

    async def _publish_relay(self, relay: _Relay, events: list[Event]) -> set[str]:
        try:
            return await relay.connection.publish(events, idle_timeout=self._deadline)
        except ConnectionLost:
            # Events the relay already stored come back as `duplicate:`, which counts as accepted.
            return await relay.connection.publish(events, idle_timeout=self._deadline)

    async def _ping_relay(self, relay: _Relay) -> None:
        await relay.connection.ready()

    # --- fan-out ------------------------------------------------------------------------------

    async def _fan_out(
        self,
        what: str,
        call: Callable[[_Relay], Awaitable[_T]],
        *,
        relays: Sequence[_Relay] | None = None,
        quiet: type[RelayError] | None = None,
    ) -> list[_T]:
        """Runs `call` on every relay whose breaker allows it; returns the results of those that
        answered. Raises RelayUnavailable when none did (_NoneSupported when every relay that
        answered refused the call as `quiet`)."""
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
        cutoff = loop.time() + self._deadline
        pending = set(tasks)
        try:
            while pending and (left := cutoff - loop.time()) > 0:
                done, pending = await asyncio.wait(pending, timeout=left, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    error = task.exception()
                    outcomes[tasks[task].url] = error if error is not None else task.result()
                    if error is None:
                        cutoff = min(cutoff, loop.time() + self._straggler_grace)
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
            if quiet is not None and isinstance(outcome, quiet):
                refused += 1
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

    def _record(self, relay: _Relay, events: list[Event], invalid: int, unrequested: int) -> None:
        self.metrics.events.labels(relay.url).inc(len(events))
        if invalid:
            self.metrics.invalid_events.labels(relay.url).inc(invalid)
        if unrequested:
            self.metrics.unrequested_events.labels(relay.url).inc(unrequested)

    def _count_requests(self, filters: list[Filter]) -> list[list[Filter]] | None:
        """The COUNT messages whose answers add up to the count of `filters`, or None when no such
        split exists (several filters that need chunking could overlap)."""
        if len(filters) == 1:
            return [[piece] for piece in split_filter(filters[0], self._chunk_size)]
        if all(len(split_filter(filter_, self._chunk_size)) == 1 for filter_ in filters):
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
            await relay.connection.ready()
        relay.information = await fetch_information(self._http, relay.url)
        if relay.information is not None and relay.count_supported is None:
            relay.count_supported = relay.information.supports_count


class _NoneSupported(Exception):
    """Every relay that answered refused the call (COUNT unsupported)."""


def _older_windows(filter_: Filter, first_page: tuple[int, int], count: int) -> list[Filter]:
    """Disjoint filters covering what is older than (or as old as) the first page's oldest event."""
    newest, oldest = first_page
    span = max(newest - oldest, 1)
    windows: list[Filter] = []
    upper = oldest
    for step in range(count - 1):
        lower = upper - span * 2**step + 1
        if filter_.since is not None and lower <= filter_.since:
            break
        windows.append(msgspec.structs.replace(filter_, since=lower, until=upper))
        upper = lower - 1
    windows.append(msgspec.structs.replace(filter_, until=upper))
    return windows


def _is_remote(url: str) -> bool:
    """permessage-deflate saves bandwidth to remote relays; to a relay on this machine it only costs
    CPU on both ends."""
    host = urlsplit(url).hostname or ""
    return not (host == "localhost" or host == "::1" or host.startswith("127."))


def _first_leaf(group: BaseExceptionGroup[BaseException]) -> BaseException:
    error: BaseException = group
    while isinstance(error, BaseExceptionGroup):
        error = error.exceptions[0]
    return error


def _reason(error: BaseException) -> str:
    return "timeout" if isinstance(error, TimeoutError) else "error"


def _describe(error: BaseException, url: str) -> str:
    text = str(error) or type(error).__name__
    return text if text.startswith(url) else f"{url}: {text}"
