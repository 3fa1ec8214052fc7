"""Explained figures (V2) against a real relay process: every hop checked on the relay itself."""

import time
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import networkx as nx
import pytest

from adapters.cache.memory_cache import MemoryCache
from adapters.relay.websocket_pool import WebsocketRelayPool
from application.demo.events import graph_events
from application.demo.graph import generate_demo_graph
from domain.nostr.event import Filter
from domain.nostr.signing import sign_event
from domain.shared.clock import FixedClock
from domain.wot.settings import WotSettings
from tests.integration.wot.test_wot_on_relay import World, process, reference_graph
from tests.support.app import started

pytestmark = pytest.mark.integration

USERS = 200
MAX_DEPTH = 3


@pytest.fixture(scope="module")
def world() -> World:
    now = datetime.now(UTC).replace(microsecond=0)
    graph = generate_demo_graph(USERS, seed=int(time.time()) % 100_000 + 11, now=int(now.timestamp()))
    return World(graph, list(graph_events(graph)), now)


async def test_v2_paths_are_chains_of_current_contact_lists_on_the_relay(
    relay_url: str, world: World, tmp_path: Path
) -> None:
    graph = reference_graph(world.events)
    graph.add_nodes_from(world.graph.pubkeys)
    hops_from_seeds = nx.multi_source_dijkstra_path_length(graph, set(world.seeds), cutoff=MAX_DEPTH)
    viewer = max(
        (p for p in world.graph.pubkeys if p not in world.seeds and 3 <= graph.out_degree(p) <= 40),
        key=lambda p: len(nx.single_source_shortest_path_length(graph, p, cutoff=2)),
    )
    hops_from_viewer = nx.single_source_shortest_path_length(graph, viewer, cutoff=MAX_DEPTH)
    targets = [p for p in world.graph.pubkeys[::10] if hops_from_seeds.get(p, 0) > 0][:12]
    clock = FixedClock(world.now)
    wot = WotSettings(seeds=world.seeds, max_depth=MAX_DEPTH, request_deadline=30)
    pool = WebsocketRelayPool(urls=(relay_url,))
    await pool.start()
    try:
        await pool.publish(world.events)
        async with started(process(relay_url, tmp_path, clock, MemoryCache(clock), wot)) as container:
            explain = container.wot.explain_wot_figures()
            explained = {t: await explain(t) for t in targets}
            from_viewer = {
                t: await explain(t, viewer) for t in targets if t in hops_from_viewer and t != viewer
            }
            figures = {t: (await container.wot.compute_wot_figures()(t)).figures for t in targets}
            authors = {
                p for e in [*explained.values(), *from_viewer.values()] for path in e.paths for p in path[:-1]
            }
            on_relay = reference_graph(await pool.query([Filter(kinds=(3,), authors=tuple(sorted(authors)))]))
            # A hop that unfollows after the neighbourhood was built no longer explains anything.
            target = next(t for t, e in explained.items() if len(e.paths[0]) > 2)
            hop = explained[target].paths[0][-2]
            secret = world.graph.secret_keys[world.graph.pubkeys.index(hop)]
            kept = [["p", p] for p in graph.successors(hop) if p != target]
            now_ts = int(world.now.timestamp())
            await pool.publish([sign_event(secret, kind=3, tags=kept, content="", created_at=now_ts + 1)])
            after_unfollow = await explain(target)
    finally:
        await pool.close()

    assert from_viewer
    assert all(path[-2] != hop for path in after_unfollow.paths)
    for answers, starts, hops in (
        (explained, set(world.seeds), hops_from_seeds),
        (from_viewer, {viewer}, hops_from_viewer),
    ):
        for target, explanation in answers.items():
            assert 1 <= len(explanation.paths) <= 3, target
            assert len({tuple(path) for path in explanation.paths}) == len(explanation.paths)
            for path in explanation.paths:
                assert path[0] in starts and path[-1] == target
                assert len(path) - 1 == hops[target]
                assert all(on_relay.has_edge(a, b) for a, b in pairwise(path)), path
    for target, explanation in explained.items():
        followers = explanation.top_followers
        assert len(followers) <= 10
        assert all(graph.has_edge(f.pubkey, target) for f in followers)
        assert [f.trust_score for f in followers] == sorted((f.trust_score for f in followers), reverse=True)
        held = {check.reason for check in explanation.bot_reasons if check.holds}
        assert held == set(figures[target].bot_reasons), target
        mass = next(c for c in explanation.bot_reasons if c.reason == "mass_following")
        assert mass.value == graph.out_degree(target)
