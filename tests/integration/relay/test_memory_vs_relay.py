"""Property: for random events and filters, MemoryRelay and a real relay return the same set.

Only the acceptance of malformed events is left out: LocalRelay refuses an addressable event without a
`d` tag ("error: unknown") where NIP-01 reads the missing tag as "", so every generated addressable
event carries one.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.relay.config import RelayTimeouts
from adapters.relay.memory_relay import MemoryRelay
from adapters.relay.websocket_pool import WebsocketRelayPool
from domain.nostr.event import Event, Filter
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event
from tests.support.relay_client import publish_raw

pytestmark = pytest.mark.integration

AUTHORS = 3
KINDS = [0, 1, 3, 7, 10002, 20001, 30000]
TIMES = st.integers(min_value=100, max_value=104)

event_specs = st.lists(
    st.tuples(
        st.integers(0, AUTHORS - 1),
        st.sampled_from(KINDS),
        TIMES,
        st.lists(
            st.one_of(
                st.tuples(st.just("p"), st.integers(0, AUTHORS - 1)),
                st.tuples(st.sampled_from(["t", "d"]), st.sampled_from(["a", "b"])),
            ),
            max_size=3,
        ),
        st.text(max_size=8),
    ),
    min_size=1,
    max_size=25,
)

filter_specs = st.lists(
    st.fixed_dictionaries(
        {
            "authors": st.sets(st.integers(0, AUTHORS - 1), min_size=1),
            "kinds": st.none() | st.sets(st.sampled_from(KINDS), min_size=1),
            "p": st.none() | st.sets(st.integers(0, AUTHORS - 1), min_size=1),
            "t": st.none() | st.sets(st.sampled_from(["a", "b"]), min_size=1),
            "ids": st.none() | st.sets(st.integers(0, 24), min_size=1),
            "since": st.none() | TIMES,
            "until": st.none() | TIMES,
            "limit": st.none() | st.integers(1, 6),
        }
    ),
    min_size=1,
    max_size=3,
)


@asynccontextmanager
async def fresh_pool(relay_url: str) -> AsyncIterator[WebsocketRelayPool]:
    """A pool, and so a connection, per example: hypothesis runs every example of the test on the
    test's fixtures, and one connection for all of them would meet the relay's per-connection limits."""
    pool = WebsocketRelayPool([relay_url], timeouts=RelayTimeouts(deadline=20))
    await pool.start()
    try:
        yield pool
    finally:
        await pool.close()


def build_events(specs: list, secrets: list[str], pubkeys: list[str]) -> list[Event]:  # type: ignore[type-arg]
    events = []
    for author, kind, created_at, tags, content in specs:
        wire_tags = [[name, pubkeys[value] if name == "p" else value] for name, value in tags]
        if 30000 <= kind < 40000 and not any(tag[0] == "d" for tag in wire_tags):
            wire_tags.append(["d", ""])
        events.append(
            sign_event(secrets[author], kind=kind, tags=wire_tags, content=content, created_at=created_at)
        )
    return events


def build_filter(spec: dict, pubkeys: list[str], events: list[Event]) -> Filter:  # type: ignore[type-arg]
    tags = {}
    if spec["p"] is not None:
        tags["p"] = tuple(pubkeys[i] for i in sorted(spec["p"]))
    if spec["t"] is not None:
        tags["t"] = tuple(sorted(spec["t"]))
    return Filter(
        # Authors are always this example's own, so events of other tests on the shared relay stay out.
        authors=tuple(pubkeys[i] for i in sorted(spec["authors"])),
        kinds=tuple(sorted(spec["kinds"])) if spec["kinds"] is not None else None,
        ids=tuple(events[i % len(events)].id for i in sorted(spec["ids"]))
        if spec["ids"] is not None
        else None,
        tags=tags or None,
        since=spec["since"],
        until=spec["until"],
        limit=spec["limit"],
    )


@settings(max_examples=40, deadline=None)
@given(specs=event_specs, filters=filter_specs)
async def test_memory_relay_and_a_real_relay_return_the_same_set(
    relay_url: str,
    specs: list,
    filters: list,  # type: ignore[type-arg]
) -> None:
    secrets = [generate_secret_key() for _ in range(AUTHORS)]
    pubkeys = [public_key_of(secret) for secret in secrets]
    events = build_events(specs, secrets, pubkeys)
    wanted = [build_filter(spec, pubkeys, events) for spec in filters]
    memory = MemoryRelay()
    await memory.publish(events)
    await publish_raw(relay_url, events)

    async with asyncio.timeout(60), fresh_pool(relay_url) as pool:
        from_relay = await pool.query(wanted)
    from_memory = await memory.query(wanted)

    assert {e.id for e in from_relay} == {e.id for e in from_memory}
