"""Paging one filter through a relay that caps what one REQ returns (see docs/relay.md).

Relays differ: some cap a REQ below the page size without saying so, some read `since` and `until`
as exclusive bounds. The pager asks one second wider than it means on each side until the relay has
shown it reads a bound inclusively, keeps only what lies in the window it means, lets consecutive
windows overlap by one second and merges by id; and it takes a short page for the end only when a
follow-up page brings nothing new (or the relay has already sent full pages of that size).
"""

import asyncio
from collections.abc import Awaitable, Callable

import msgspec

from adapters.relay.subscription import Page
from domain.nostr.event import Event, Filter
from domain.nostr.filters import select


class RelayReading:
    """What the pool has learnt about how one relay answers a REQ."""

    def __init__(self, page_size: int) -> None:
        self._default_page_size = page_size
        self.announced_max_limit: int | None = None
        self.silent_cap: int | None = None
        self.proven = 0  # the most events one page of this relay has brought
        self.until_inclusive = False
        self.since_inclusive = False

    @property
    def page_size(self) -> int:
        return min(
            size
            for size in (self._default_page_size, self.announced_max_limit, self.silent_cap)
            if size is not None
        )

    @property
    def trusted_page_size(self) -> int:
        """A page shorter than asked, when asked at most this, is the end: the relay has sent pages
        this large, or announces (NIP-11 `max_limit`) that it does."""
        return max(self.proven, self.announced_max_limit or 0)

    def prove(self, received: int) -> None:
        self.proven = max(self.proven, received)

    def learn_cap(self, received: int) -> None:
        if received >= 1:
            self.silent_cap = received if self.silent_cap is None else min(self.silent_cap, received)


FetchPage = Callable[[Filter], Awaitable[Page]]
Record = Callable[[list[Event], int, int], None]


class Pager:
    """Every event one relay has for one filter, page by page (`fetch_page` sends one REQ)."""

    def __init__(
        self, fetch_page: FetchPage, reading: RelayReading, parallel_windows: int, record: Record
    ) -> None:
        self._fetch_page = fetch_page
        self._reading = reading
        self._parallel_windows = max(1, parallel_windows)
        self._record = record

    async def fetch_all(self, filter_: Filter) -> list[Event]:
        """The next page is asked for at EOSE, from the events as received; their verification runs
        meanwhile and is awaited at the end, so checking one page overlaps fetching the next. When a
        filter without `limit` fills its first page, the older rest is split into time windows
        paged side by side (widths of one, two and four times the span of the first page, then
        everything older), so the relay prepares one page while the previous one is read.
        """
        pages: list[Page] = []
        try:
            first = await self._page_through(filter_, pages, max_pages=1)
            if first is not None:
                windows = older_windows(filter_, first, self._parallel_windows)
                if len(windows) == 1:
                    await self._page_through(windows[0], pages)
                else:
                    try:
                        async with asyncio.TaskGroup() as group:
                            for window in windows:
                                group.create_task(self._page_through(window, pages))
                    except BaseExceptionGroup as failed:
                        raise first_leaf(failed) from None
            collected: dict[str, Event] = {}
            for page in pages:
                events, invalid = await page.verified()
                self._record(events, invalid, page.unrequested)
                for event in events:
                    # Pages were asked a second wider than meant: keep what the filter selects.
                    if _within(filter_.since, filter_.until, event):
                        collected.setdefault(event.id, event)
            if filter_.limit is not None:
                return select(filter_, collected.values())
            return list(collected.values())
        finally:
            for page in pages:
                page.abandon()

    async def _page_through(
        self, filter_: Filter, pages: list[Page], max_pages: int | None = None
    ) -> tuple[int, int] | None:
        """Pages through one filter, adding each page to `pages`. Returns None when the relay has no
        more, else the newest and oldest `created_at` of the last page (when `max_pages` stopped it)."""
        reading = self._reading
        seen: dict[str, int] = {}  # id: created_at of the events in range so far
        until = filter_.until
        full_pages = 0
        after_short: int | None = None  # events of the short page a follow-up is checking
        while True:
            asked = reading.page_size
            wire = self._wire(filter_, until, asked)
            if filter_.limit is not None:
                # What is still wanted, plus what the page will bring again from the seconds asked twice.
                again = (
                    0 if until is None else sum(until <= t <= (wire.until or until) for t in seen.values())
                )
                asked = min(asked, filter_.limit - len(seen) + again)
                wire = msgspec.structs.replace(wire, limit=asked)
            page = await self._fetch_page(wire)
            pages.append(page)
            newly_inclusive = self._learn(wire, filter_.since, until, page)
            in_range = [event for event in page.candidates if _within(filter_.since, until, event)]
            fresh = [event for event in in_range if event.id not in seen]
            seen.update((event.id, event.created_at) for event in fresh)
            if filter_.limit is not None and len(seen) >= filter_.limit:
                return None
            if not in_range:
                if newly_inclusive:
                    continue  # the page was spent on the second just past `until`: ask again exactly
                return None
            short = page.received < asked
            if after_short is not None:
                if not fresh:
                    return None
                reading.learn_cap(after_short)  # the relay cut the earlier page without saying so
            if short:
                if asked <= reading.trusted_page_size:
                    return None  # the relay sends pages of this size: this one is the end
                after_short = page.received
            else:
                after_short = None
                reading.prove(page.received)
                full_pages += 1
            oldest = min(event.created_at for event in in_range)
            if not short and max_pages is not None and full_pages >= max_pages and filter_.limit is None:
                return max(event.created_at for event in in_range), oldest
            # More than a page of events in one second: move past that second rather than loop.
            until = oldest if fresh else oldest - 1
            if filter_.since is not None and until < filter_.since:
                return None

    def _wire(self, filter_: Filter, until: int | None, limit: int) -> Filter:
        """The filter as sent: one second wider on each side than meant, unless the relay has shown
        it reads that bound inclusively (what lies outside is dropped after the page)."""
        since = filter_.since
        if since is not None and not self._reading.since_inclusive:
            since = max(0, since - 1)
        if until is not None and not self._reading.until_inclusive:
            until += 1
        return msgspec.structs.replace(filter_, since=since, until=until, limit=limit)

    def _learn(self, wire: Filter, since: int | None, until: int | None, page: Page) -> bool:
        """Notes a bound the page shows the relay reads inclusively; True when `until` is newly known."""
        reading = self._reading
        newly = False
        for event in page.candidates:
            if wire.until is not None and wire.until != until and event.created_at == wire.until:
                newly = newly or not reading.until_inclusive
                reading.until_inclusive = True
            if wire.since is not None and wire.since != since and event.created_at == wire.since:
                reading.since_inclusive = True
        return newly


def _within(since: int | None, until: int | None, event: Event) -> bool:
    return (since is None or event.created_at >= since) and (until is None or event.created_at <= until)


def older_windows(filter_: Filter, first_page: tuple[int, int], count: int) -> list[Filter]:
    """Filters covering what is as old as or older than the first page's oldest event; each window
    overlaps the next by one second, so a relay that reads a bound exclusively loses nothing."""
    newest, oldest = first_page
    span = max(newest - oldest, 1)
    windows: list[Filter] = []
    upper = oldest
    for step in range(count - 1):
        lower = upper - span * 2**step + 1
        if filter_.since is not None and lower <= filter_.since:
            break
        windows.append(msgspec.structs.replace(filter_, since=lower, until=upper))
        upper = lower
    windows.append(msgspec.structs.replace(filter_, until=upper))
    return windows


def first_leaf(group: BaseExceptionGroup[BaseException]) -> BaseException:
    error: BaseException = group
    while isinstance(error, BaseExceptionGroup):
        error = error.exceptions[0]
    return error
