"""The Web of Trust against a real relay process, checked against an independent networkx reference."""

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import networkx as nx
import pytest
import pytest_asyncio
from scipy.stats import spearmanr

from adapters.cache.memory_cache import MemoryCache
from adapters.relay.websocket_pool import WebsocketRelayPool
from application.demo.events import graph_events
from application.demo.graph import DemoGraph, generate_demo_graph
from bootstrap.container import Container
from domain.nostr.event import Event
from domain.nostr.pubkeys import is_hex_pubkey
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event
from domain.shared.clock import FixedClock
from domain.shared.errors import DependencyUnavailable
from domain.wot.settings import WotSettings
from tests.support.app import container_for_tests, settings_for_tests, started

pytestmark = pytest.mark.integration

USERS = 300
MAX_DEPTH = 3


class World:
    def __init__(self, graph: DemoGraph, events: list[Event], now: datetime) -> None:
        self.graph = graph
        self.events = events
        self.now = now
        self.seeds = tuple(graph.pubkeys[i] for i in graph.seeds)


def extra_events(graph: DemoGraph, now: int) -> list[Event]:
    """Replaced, duplicated, malformed and forged contact lists on top of the demo graph."""
    key = graph.secret_keys
    pub = graph.pubkeys
    extras = [
        # User 10 replaces its list; the old one is published again afterwards.
        sign_event(key[10], kind=3, tags=[["p", pub[11]], ["p", pub[12]]], content="", created_at=now - 5),
        sign_event(key[10], kind=3, tags=[["p", pub[13]]], content="", created_at=now - 3000),
        # User 20's list is full of malformed p tags around two good ones.
        sign_event(
            key[20],
            kind=3,
            tags=[
                ["p"],
                ["p", pub[21].upper()],
                ["p", "xyz"],
                ["p", pub[20]],
                ["p", pub[21]],
                ["p", pub[22]],
                ["p", pub[22]],
            ],
            content="",
            created_at=now - 4,
        ),
    ]
    genuine = sign_event(key[30], kind=3, tags=[["p", pub[31]]], content="", created_at=now - 2)
    forged = Event(
        id=genuine.id,
        pubkey=genuine.pubkey,
        created_at=genuine.created_at,
        kind=3,
        tags=[["p", pub[32]]],
        content="",
        sig=genuine.sig,
    )
    return [*extras, extras[0], forged]


def reference_graph(events: list[Event]) -> nx.DiGraph:
    """Latest valid kind-3 per author (newest, then lowest id), p tags parsed here, not by our code."""
    latest: dict[str, Event] = {}
    for event in events:
        if event.kind != 3:
            continue
        current = latest.get(event.pubkey)
        if current is None or (event.created_at, _neg(event.id)) > (current.created_at, _neg(current.id)):
            latest[event.pubkey] = event
    graph = nx.DiGraph()
    for author, event in latest.items():
        graph.add_node(author)
        for tag in event.tags:
            if len(tag) >= 2 and tag[0] == "p" and is_hex_pubkey(tag[1]) and tag[1] != author:
                graph.add_edge(author, tag[1])
    return graph


def _neg(event_id: str) -> tuple[int, ...]:
    return tuple(-ord(c) for c in event_id)


@pytest.fixture(scope="module")
def world() -> World:
    now = datetime.now(UTC).replace(microsecond=0)
    graph = generate_demo_graph(USERS, seed=int(time.time()) % 100_000, now=int(now.timestamp()))
    events = list(graph_events(graph)) + extra_events(graph, int(now.timestamp()))
    return World(graph, events, now)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def relay(relay_url: str, world: World) -> AsyncIterator[WebsocketRelayPool]:
    pool = WebsocketRelayPool(urls=(relay_url,))
    await pool.start()
    await pool.publish(world.events)
    try:
        yield pool
    finally:
        await pool.close()


def process(
    relay_url: str, data_dir: Path, clock: FixedClock, cache: MemoryCache, wot: WotSettings
) -> Container:
    """One server process as the service wires it: its own container and connection to the relay."""
    settings = settings_for_tests(data_dir, relay_urls=(relay_url,))
    return container_for_tests(settings, clock=clock, cache=cache, wot_settings=wot)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def scores(
    relay: WebsocketRelayPool, relay_url: str, world: World, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, object]:
    """Every user scored through the use cases. LocalRelay allows a connection about 1,200 queries
    a minute, so each batch of 80 pubkeys runs as its own process with its own connection, all
    sharing one cache (and so one neighbourhood)."""
    clock = FixedClock(world.now)
    cache = MemoryCache(clock)
    wot = WotSettings(seeds=world.seeds, max_depth=MAX_DEPTH, request_deadline=30)
    data_dir = tmp_path_factory.mktemp("scores")
    served = []
    for start in range(0, USERS, 80):
        async with started(process(relay_url, data_dir, clock, cache, wot)) as container:
            served += await container.wot.compute_wot_figures_batch()(world.graph.pubkeys[start : start + 80])
    return {item.figures.pubkey: item.figures for item in served}


@pytest.fixture(scope="module")
def reference(world: World) -> nx.DiGraph:
    graph = reference_graph([e for e in world.events if _valid(e, world)])
    graph.add_nodes_from(world.graph.pubkeys)
    return graph


def _valid(event: Event, world: World) -> bool:
    # The forged event reuses the id of a genuine one with other tags; the relay keeps the genuine one.
    return not (
        event.kind == 3
        and event.pubkey == world.graph.pubkeys[30]
        and event.tags == [["p", world.graph.pubkeys[32]]]
    )


async def test_counts_equal_the_networkx_reference(scores: dict, reference: nx.DiGraph, world: World) -> None:  # type: ignore[type-arg]
    for pubkey in world.graph.pubkeys:
        score = scores[pubkey]
        assert score.followers_count == reference.in_degree(pubkey), pubkey
        assert score.following_count == reference.out_degree(pubkey), pubkey


async def test_depth_equals_the_networkx_reference(scores: dict, reference: nx.DiGraph, world: World) -> None:  # type: ignore[type-arg]
    hops = nx.multi_source_dijkstra_path_length(reference, set(world.seeds), cutoff=MAX_DEPTH)

    for pubkey in world.graph.pubkeys:
        assert scores[pubkey].wot_depth == hops.get(pubkey), pubkey


async def test_trust_ranks_agree_with_networkx_pagerank(
    scores: dict, reference: nx.DiGraph, world: World
) -> None:  # type: ignore[type-arg]
    hops = nx.multi_source_dijkstra_path_length(reference, set(world.seeds), cutoff=MAX_DEPTH - 1)
    members = reference.subgraph(hops)
    expected = nx.pagerank(members, alpha=0.85, personalization=dict.fromkeys(world.seeds, 1))
    names = sorted(expected)
    ours = [scores[name].trust_score for name in names]

    rho = spearmanr(ours, [expected[name] for name in names]).statistic
    top = min(100, len(names) // 2)
    our_top = set(sorted(names, key=lambda n: -scores[n].trust_score)[:top])
    their_top = set(sorted(names, key=lambda n: -expected[n])[:top])

    assert len(names) > 50
    assert rho >= 0.95
    assert len(our_top & their_top) / top >= 0.9


async def test_the_replaced_and_malformed_lists_read_as_the_reference(scores: dict, world: World) -> None:  # type: ignore[type-arg]
    assert scores[world.graph.pubkeys[10]].following_count == 2
    assert scores[world.graph.pubkeys[20]].following_count == 2


async def test_a_pubkey_with_no_events_and_an_empty_seed_list(
    relay: WebsocketRelayPool, relay_url: str, world: World, reference: nx.DiGraph, tmp_path: Path
) -> None:
    stranger = public_key_of(generate_secret_key())
    clock = FixedClock(world.now)
    container = process(relay_url, tmp_path, clock, MemoryCache(clock), WotSettings(seeds=()))

    async with started(container):
        compute = container.wot.compute_wot_figures()
        nobody = (await compute(stranger)).figures
        famous = (await compute(world.seeds[0])).figures

    assert (nobody.followers_count, nobody.following_count, nobody.wot_depth, nobody.trust_score) == (
        0,
        0,
        None,
        0.0,
    )
    assert (famous.wot_depth, famous.trust_score) == (None, 0.0)
    assert famous.followers_count == reference.in_degree(world.seeds[0]) > 0


async def test_w1_relay_killed_serves_stale_then_503(relay_process, world: World, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    clock = FixedClock(world.now)
    settings = WotSettings(seeds=world.seeds[:1], request_deadline=2.0, build_deadline=5.0)
    container = process(relay_process.url, tmp_path, clock, MemoryCache(clock), settings)
    async with started(container):
        await container.relay().publish([e for e in world.events if e.pubkey in world.graph.pubkeys[:40]])
        compute = container.wot.compute_wot_figures()
        fresh = await compute(world.graph.pubkeys[5])

        relay_process.stop()
        clock.advance(timedelta(seconds=settings.cache_ttl + 1))
        stale = await compute(world.graph.pubkeys[5])
        with pytest.raises(DependencyUnavailable) as unavailable:
            await compute(world.graph.pubkeys[6])

    assert stale.stale and stale.figures == fresh.figures
    assert unavailable.value.retry_after >= 1
