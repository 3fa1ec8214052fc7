"""Figures from a viewer's perspective (V1) against a real relay process and a networkx reference."""

import time
from datetime import UTC, datetime
from pathlib import Path

import networkx as nx
import pytest
import pytest_asyncio
from scipy.stats import spearmanr

from adapters.cache.memory_cache import MemoryCache
from adapters.relay.websocket_pool import WebsocketRelayPool
from application.demo.events import graph_events
from application.demo.graph import generate_demo_graph
from domain.shared.clock import FixedClock
from domain.wot.figures import WotFigures
from domain.wot.settings import WotSettings
from tests.integration.wot.test_wot_on_relay import World, extra_events, process, reference_graph
from tests.support.app import started

pytestmark = pytest.mark.integration

USERS = 300
MAX_DEPTH = 3


@pytest.fixture(scope="module")
def world() -> World:
    now = datetime.now(UTC).replace(microsecond=0)
    graph = generate_demo_graph(USERS, seed=int(time.time()) % 100_000 + 7, now=int(now.timestamp()))
    return World(graph, list(graph_events(graph)) + extra_events(graph, int(now.timestamp())), now)


@pytest.fixture(scope="module")
def reference(world: World) -> nx.DiGraph:
    genuine = [e for e in world.events if not (e.kind == 3 and e.tags == [["p", world.graph.pubkeys[32]]])]
    graph = reference_graph(genuine)
    graph.add_nodes_from(world.graph.pubkeys)
    return graph


@pytest.fixture(scope="module")
def viewer(world: World, reference: nx.DiGraph) -> str:
    """An ordinary account, not a seed, that follows a few others and reaches most of the graph."""
    candidates = [
        pubkey
        for pubkey in world.graph.pubkeys
        if pubkey not in world.seeds and 5 <= reference.out_degree(pubkey) <= 40
    ]
    return max(candidates, key=lambda p: len(nx.single_source_shortest_path_length(reference, p, cutoff=2)))


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def seen(
    relay_url: str, world: World, viewer: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, WotFigures]:
    """Every user's figures as the viewer sees them, through the container's use case; batches of 80
    run as separate processes (LocalRelay limits one connection's queries) sharing one cache."""
    pool = WebsocketRelayPool(urls=(relay_url,))
    await pool.start()
    try:
        await pool.publish(world.events)
    finally:
        await pool.close()
    clock = FixedClock(world.now)
    cache = MemoryCache(clock)
    wot = WotSettings(seeds=world.seeds, max_depth=MAX_DEPTH, request_deadline=30)
    data_dir = tmp_path_factory.mktemp("viewer")
    served = []
    for start in range(0, USERS, 80):
        async with started(process(relay_url, data_dir, clock, cache, wot)) as container:
            batch = container.wot.compute_viewer_figures_batch()
            served += await batch(world.graph.pubkeys[start : start + 80], viewer)
    return {item.figures.pubkey: item.figures for item in served}


async def test_v1_depth_from_the_viewer_equals_networkx(
    seen: dict[str, WotFigures], reference: nx.DiGraph, world: World, viewer: str
) -> None:
    hops = nx.single_source_shortest_path_length(reference, viewer, cutoff=MAX_DEPTH)
    from_seeds = nx.multi_source_dijkstra_path_length(reference, set(world.seeds), cutoff=MAX_DEPTH)

    assert seen[viewer].wot_depth == 0
    assert [seen[p].wot_depth for p in world.graph.pubkeys] == [hops.get(p) for p in world.graph.pubkeys]
    # The viewer's perspective is not the seeds' in disguise.
    assert any(hops.get(p) != from_seeds.get(p) for p in world.graph.pubkeys)


async def test_v1_trust_ranks_like_networkx_pagerank_seeded_at_the_viewer(
    seen: dict[str, WotFigures], reference: nx.DiGraph, viewer: str
) -> None:
    members = set(nx.single_source_shortest_path_length(reference, viewer, cutoff=MAX_DEPTH - 1))
    expected = nx.pagerank(reference, alpha=0.85, personalization={viewer: 1})
    names = sorted(members)

    rho = spearmanr([seen[n].trust_score for n in names], [expected[n] for n in names]).statistic

    assert len(names) > 50
    assert rho >= 0.95


async def test_v1_the_other_figures_are_the_seeds_figures(
    relay_url: str, seen: dict[str, WotFigures], world: World, viewer: str, tmp_path: Path
) -> None:
    clock = FixedClock(world.now)
    wot = WotSettings(seeds=world.seeds, max_depth=MAX_DEPTH, request_deadline=30)
    sample = world.graph.pubkeys[:20]
    async with started(process(relay_url, tmp_path, clock, MemoryCache(clock), wot)) as container:
        plain = {i.figures.pubkey: i.figures for i in await container.wot.compute_wot_figures_batch()(sample)}

    for pubkey in sample:
        mine, theirs = seen[pubkey], plain[pubkey]
        assert (mine.followers_count, mine.following_count, mine.bot_reasons, mine.discount_percent) == (
            theirs.followers_count,
            theirs.following_count,
            theirs.bot_reasons,
            theirs.discount_percent,
        )
