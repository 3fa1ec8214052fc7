"""The pager against fakes of relays that read `since`/`until` either way and cap a REQ silently
(promise W3): whatever the relay does, the events returned are exactly those the filter selects."""

import asyncio
import itertools
import random

import msgspec
import pytest

from adapters.relay.paging import Pager, RelayReading, older_windows
from adapters.relay.subscription import Page
from domain.nostr.event import Event, Filter
from domain.nostr.filters import matches, select

AUTHOR = "a" * 64


class FakeRelay:
    """Newest first, at most `cap` events per REQ whatever the limit; bounds read as configured."""

    def __init__(
        self, events: list[Event], *, cap: int, since_inclusive: bool, until_inclusive: bool
    ) -> None:
        self.events = sorted(events, key=lambda e: (-e.created_at, e.id))
        self.cap = cap
        self.since_inclusive = since_inclusive
        self.until_inclusive = until_inclusive
        self.requests = 0

    async def fetch_page(self, filter_: Filter) -> Page:
        self.requests += 1
        loose = msgspec.structs.replace(filter_, since=None, until=None, limit=None)
        chosen = [
            event
            for event in self.events
            if matches(loose, event) and self._in_bounds(filter_, event.created_at)
        ][: min(self.cap, filter_.limit or self.cap)]
        check: asyncio.Future[list[bool]] = asyncio.get_running_loop().create_future()
        check.set_result([True] * len(chosen))
        return Page(chosen, len(chosen), 0, [(chosen, check)])

    def _in_bounds(self, filter_: Filter, created_at: int) -> bool:
        since, until = filter_.since, filter_.until
        if since is not None and (created_at < since or (created_at == since and not self.since_inclusive)):
            return False
        return until is None or not (created_at > until or (created_at == until and not self.until_inclusive))


def events(count: int, per_second: int, seed: int) -> list[Event]:
    rng = random.Random(seed)
    return [
        Event(
            id=f"{n:064x}",
            pubkey=AUTHOR,
            created_at=1_000 + n // per_second + rng.choice((0, 0, 1)),
            kind=1,
            tags=(),
            content="",
            sig="0" * 128,
        )
        for n in range(count)
    ]


async def fetched(relay: FakeRelay, filter_: Filter, *, windows: int, page_size: int = 50) -> set[str]:
    pager = Pager(relay.fetch_page, RelayReading(page_size), windows, lambda *_: None)
    return {event.id for event in await pager.fetch_all(filter_)}


READINGS = list(itertools.product([True, False], [True, False]))


@pytest.mark.parametrize(("since_inclusive", "until_inclusive"), READINGS)
@pytest.mark.parametrize("cap", [50, 17, 1_000])
@pytest.mark.parametrize("windows", [1, 4])
@pytest.mark.parametrize("bounds", [(None, None), (None, 1_060), (1_010, None), (1_010, 1_060)])
async def test_w3_paging_is_exact_whichever_way_the_relay_reads_bounds_and_caps(
    since_inclusive: bool,
    until_inclusive: bool,
    cap: int,
    windows: int,
    bounds: tuple[int | None, int | None],
) -> None:
    published = events(400, per_second=4, seed=cap + windows)
    relay = FakeRelay(published, cap=cap, since_inclusive=since_inclusive, until_inclusive=until_inclusive)
    since, until = bounds
    wanted = Filter(authors=(AUTHOR,), since=since, until=until)

    got = await fetched(relay, wanted, windows=windows)

    assert got == {event.id for event in select(wanted, published)}


@pytest.mark.parametrize(("since_inclusive", "until_inclusive"), READINGS)
async def test_w3_a_limit_is_exact_under_a_silent_cap(since_inclusive: bool, until_inclusive: bool) -> None:
    published = events(300, per_second=3, seed=7)
    relay = FakeRelay(published, cap=20, since_inclusive=since_inclusive, until_inclusive=until_inclusive)
    wanted = Filter(authors=(AUTHOR,), until=1_080, limit=130)

    got = await fetched(relay, wanted, windows=4)

    assert got == {event.id for event in select(wanted, published)}


async def test_a_short_page_ends_at_once_once_the_relay_has_sent_full_pages() -> None:
    relay = FakeRelay(
        events(120, per_second=2, seed=1), cap=1_000, since_inclusive=True, until_inclusive=True
    )
    reading = RelayReading(50)
    reading.prove(50)
    pager = Pager(relay.fetch_page, reading, 1, lambda *_: None)

    await pager.fetch_all(Filter(authors=(AUTHOR,), since=1_050))

    assert relay.requests == 1


def test_w3_time_windows_overlap_by_one_second() -> None:
    windows = older_windows(Filter(kinds=(1,)), (1_000, 900), 4)

    bounds = [(window.since, window.until) for window in windows]
    assert bounds[0][1] == 900
    for (lower, _), (_, upper) in itertools.pairwise(bounds):
        assert upper == lower
