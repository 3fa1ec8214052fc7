"""Web of Trust benchmark (run by hand; figures go to docs/benchmarks.md).

    .venv/bin/python -m bench.wot --users 200000 --seed 1 --preload
    .venv/bin/python -m bench.wot --smoke       # a tiny graph in memory: checks the script still runs

1. Starts the embedded relay (`python -m bootstrap.embedded_relay`, LMDB under --data-dir, or in memory
   with --data-dir '') and publishes the demo graph to it (signing in worker processes; not part of the
   figures). With --preload the events are written straight into the LMDB store before the relay
   starts (bench/lmdb_load.py), since LocalRelay on LMDB accepts only a few hundred events a second
   over websockets; --reuse starts the relay on a store loaded by an earlier run of the same graph.
2. Neighbourhood build through our WebsocketRelayPool: fetch (contact lists, level by level) and
   compute (index, BFS, personalized PageRank) timed separately; the PageRank alone is timed against
   `networkx.pagerank(personalization=...)` on the same member graph.
3. Per-target cold score (neighbourhood warm, nothing cached) for ordinary accounts and for accounts
   with 10,000+ followers: p50/p95.
4. Cached score over HTTP: a granian server process serving the service's app (`bench/wot_app.py`:
   `create_app(Container(settings=...))`), `httpx` over a socket.
5. A viewer's perspective (`?viewer=`): the cold build of ordinary viewers' own neighbourhoods (fetch
   and compute, the part a cold personalized answer adds; it runs concurrently with the cold score),
   and the cached personalized answer over HTTP.
6. Famous accounts side by side: the relay's own followers COUNT and the whole cold score, alternately
   for each account with 10,000+ followers, in one run.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import shutil
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import numpy as np

from application.demo.events import graph_events
from application.demo.graph import DemoGraph, DemoShape, generate_demo_graph
from application.wot.calculator import WotCalculator
from bench.lmdb_load import preload_graph
from bench.support import free_port, granian_command, parse_args, start_relay
from domain.wot.pagerank import personalized_pagerank
from domain.wot.settings import WotSettings

ROOT = str(Path(__file__).resolve().parent.parent)

_GRAPH: DemoGraph | None = None
CHUNK = 400


def _sign_chunk(bounds: tuple[int, int]) -> list[bytes]:
    assert _GRAPH is not None
    return [msgspec.json.encode(["EVENT", event]) for event in graph_events(_GRAPH, *bounds)]


def _chunks(size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, size, CHUNK):
        yield start, min(size, start + CHUNK)


async def seed_relay(url: str, graph: DemoGraph) -> tuple[int, float]:
    """Publishes over plain websockets, eight connections at a time (LMDB commits each event), each
    fresh connection taking at most 500 events: LocalRelay drops a connection after about 6,000."""
    import websockets

    global _GRAPH
    _GRAPH = graph
    total = graph.total_events()
    started = time.perf_counter()
    accepted = sent = 0
    pending: list[bytes] = []

    async def flush(frames: list[bytes]) -> int:
        async with websockets.connect(url, max_size=None, ping_interval=None) as socket:

            async def read_oks() -> int:
                good = 0
                for _ in frames:
                    message = json.loads(await socket.recv())
                    good += bool(message[2])
                return good

            reader = asyncio.create_task(read_oks())
            for frame in frames:
                await socket.send(frame.decode())
            return await asyncio.wait_for(reader, timeout=300)

    with multiprocessing.get_context("fork").Pool(2) as pool:
        for frames in pool.imap(_sign_chunk, _chunks(graph.size)):
            pending += frames
            while len(pending) >= 4000:
                flushed = await asyncio.gather(*(flush(pending[i:4000:8]) for i in range(8)))
                accepted += sum(flushed)
                sent += 4000
                pending = pending[4000:]
                print(f"  published {sent}/{total}", file=sys.stderr)
        if pending:
            accepted += sum(await asyncio.gather(*(flush(pending[i::8]) for i in range(8))))
    return accepted, time.perf_counter() - started


class TimedRelay:
    """Delegates to a relay and records the time of each call, labelled by call and filter shape."""

    def __init__(self, relay) -> None:  # type: ignore[no-untyped-def]
        self._relay = relay
        self.timings: dict[str, list[float]] = defaultdict(list)

    @staticmethod
    def _label(call: str, filters) -> str:  # type: ignore[no-untyped-def]
        first = filters[0]
        shape = f"kinds={list(first.kinds or [])}" + (" #p" if first.tags else "")
        return f"{call}({len(filters)} filters, {shape})"

    async def query(self, filters):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        try:
            return await self._relay.query(filters)
        finally:
            self.timings[self._label("query", filters)].append(time.perf_counter() - t0)

    async def count(self, filters):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        try:
            return await self._relay.count(filters)
        finally:
            self.timings[self._label("count", filters)].append(time.perf_counter() - t0)


async def profile_cold_scores(url: str, settings: WotSettings, hood, groups) -> None:  # type: ignore[no-untyped-def]
    from adapters.relay.websocket_pool import WebsocketRelayPool

    for label, group in groups:
        pool = WebsocketRelayPool(urls=(url,))
        await pool.start()
        timed = TimedRelay(pool)
        calculator = WotCalculator(timed, settings)  # type: ignore[arg-type]
        await calculator.figures(group[0], hood, datetime.now(UTC))
        timed.timings.clear()
        totals = []
        for pubkey in group[1:]:
            t0 = time.perf_counter()
            await calculator.figures(pubkey, hood, datetime.now(UTC))
            totals.append(time.perf_counter() - t0)
        await pool.close()
        calls = ", ".join(
            f"{name} p50 {statistics.median(values) * 1000:.0f} ms" for name, values in timed.timings.items()
        )
        print(
            f"profile, {label} ({len(totals)} scores, p50 {statistics.median(totals) * 1000:.0f} ms): {calls}"
        )


def percentile(values: list[float], share: float) -> float:
    return float(np.percentile(np.array(values), share * 100))


def networkx_pagerank_seconds(hood, seeds: tuple[str, ...]) -> tuple[float, dict[str, float]]:  # type: ignore[no-untyped-def]
    import networkx as nx

    members = hood.member_count
    graph = nx.DiGraph()
    graph.add_nodes_from(range(members))
    rows = hood.follows[:, :members].tocoo()
    graph.add_edges_from(zip(rows.row.tolist(), rows.col.tolist(), strict=True))
    personalization = {hood.pubkeys.index(seed): 1.0 for seed in seeds}
    started = time.perf_counter()
    ranks = nx.pagerank(graph, alpha=0.85, personalization=personalization)
    return time.perf_counter() - started, ranks


async def measure_http(
    url: str, seeds: tuple[str, ...], targets: list[str], port: int, viewer: str | None = None
) -> dict[str, float]:
    import httpx

    environment = {
        **os.environ,
        "BENCH_RELAY_URL": url,
        "BENCH_WOT_SEEDS": ",".join(seeds),
        # The benchmark measures serving, not the anonymous rate limit (60 a minute by default).
        "RATE_LIMIT_ANONYMOUS": "1000000",
        "PYTHONPATH": ROOT,
    }
    server = await asyncio.create_subprocess_exec(
        *granian_command("bench.wot_app:create_bench_app", port), env=environment
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            deadline = time.monotonic() + 300
            while True:
                try:
                    response = await client.get(f"/api/v1/wot/{targets[0]}")
                    if response.status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.returncode is not None:
                    raise RuntimeError(f"the HTTP server exited with {server.returncode}")
                if time.monotonic() > deadline:
                    raise RuntimeError("the HTTP server never answered 200")
                await asyncio.sleep(0.5)
            params = {"viewer": viewer} if viewer else None
            for target in targets:  # warm the score cache (and the viewer's neighbourhood)
                warm = await client.get(f"/api/v1/wot/{target}", params=params)
                assert warm.status_code == 200, warm.text
            timings = []
            for _ in range(5):
                for target in targets:
                    started = time.perf_counter()
                    response = await client.get(f"/api/v1/wot/{target}", params=params)
                    timings.append(time.perf_counter() - started)
                    assert response.status_code == 200, response.text
        return {"p50": percentile(timings, 0.5), "p95": percentile(timings, 0.95), "n": len(timings)}
    finally:
        if server.returncode is None:
            server.terminate()
        await server.wait()


def compare_pagerank(hood, seeds: tuple[str, ...], damping: float) -> None:  # type: ignore[no-untyped-def]
    from scipy.stats import spearmanr

    member_matrix = hood.follows[:, : hood.member_count]
    seed_index = np.arange(len(hood.seeds), dtype=np.int64)
    ours = []
    for _ in range(5):
        t0 = time.perf_counter()
        ranks = personalized_pagerank(member_matrix, seed_index, damping)
        ours.append(time.perf_counter() - t0)
    nx_seconds, nx_ranks = networkx_pagerank_seconds(hood, seeds)
    rho = spearmanr(ranks, [nx_ranks[i] for i in range(hood.member_count)]).statistic
    ours_median = statistics.median(ours)
    print(
        f"pagerank: ours {ours_median * 1000:.1f} ms (median of 5), networkx {nx_seconds * 1000:.0f} ms, "
        f"ratio 1/{nx_seconds / ours_median:.0f}, spearman {rho:.4f}"
    )


def compare_pagerank_in_memory(graph: DemoGraph) -> None:
    from domain.wot.neighbourhood import Neighbourhood

    seeds = tuple(graph.pubkeys[i] for i in graph.seeds)
    contacts = {graph.pubkeys[i]: [graph.pubkeys[j] for j in graph.follows[i]] for i in range(graph.size)}
    t0 = time.perf_counter()
    hood = Neighbourhood.from_contacts(seeds, contacts, max_depth=3, damping=0.85, built_at=0)
    edges = int(hood.follows[:, : hood.member_count].nnz)
    print(
        f"neighbourhood (from memory, every list given): computed in {time.perf_counter() - t0:.2f} s; "
        f"{hood.member_count} members, {edges} member edges"
    )
    compare_pagerank(hood, seeds, 0.85)


async def measure_viewers(url: str, settings: WotSettings, viewers: list[str]) -> None:
    """Cold builds of each viewer's own neighbourhood, the part a cold `?viewer=` answer adds."""
    from adapters.relay.websocket_pool import WebsocketRelayPool

    timings, members, lists = [], [], []
    pool = WebsocketRelayPool(urls=(url,))
    await pool.start()
    try:
        for viewer in viewers:
            calculator = WotCalculator(pool, msgspec.structs.replace(settings, seeds=(viewer,)))
            t0 = time.perf_counter()
            contacts = await calculator.fetch_contacts()
            hood = calculator.neighbourhood_from(contacts, int(time.time()))
            timings.append(time.perf_counter() - t0)
            members.append(hood.member_count)
            lists.append(len(contacts))
    finally:
        await pool.close()
    print(
        f"viewer neighbourhood, cold ({len(viewers)} ordinary viewers): "
        f"p50 {percentile(timings, 0.5) * 1000:.0f} ms, p95 {percentile(timings, 0.95) * 1000:.0f} ms; "
        f"lists fetched p50 {statistics.median(lists):.0f} "
        f"(max {max(lists)}), members p50 {statistics.median(members):.0f} (max {max(members)})"
    )


async def famous_side_by_side(url: str, settings: WotSettings, hood, famous: list[str]) -> None:  # type: ignore[no-untyped-def]
    """The relay's followers COUNT alone and the whole cold score, alternately, for each account."""
    from adapters.relay.websocket_pool import WebsocketRelayPool
    from domain.nostr.event import Filter

    pool = WebsocketRelayPool(urls=(url,))
    await pool.start()
    counts, scores = [], []
    try:
        calculator = WotCalculator(pool, settings)
        await calculator.figures(famous[0], hood, datetime.now(UTC))  # connection warm-up
        for _ in range(3):
            for pubkey in famous:
                t0 = time.perf_counter()
                await pool.count([Filter(kinds=(3,), tags={"p": (pubkey,)})])
                counts.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                await calculator.figures(pubkey, hood, datetime.now(UTC))
                scores.append(time.perf_counter() - t0)
    finally:
        await pool.close()
    print(
        f"famous side by side ({len(counts)} pairs): followers COUNT alone p50 "
        f"{percentile(counts, 0.5) * 1000:.0f} ms, "
        f"whole cold score p50 {percentile(scores, 0.5) * 1000:.0f} ms, "
        f"added p50 {statistics.median(s - c for s, c in zip(scores, counts, strict=True)) * 1000:.0f} ms"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mean-notes", type=float, default=3.0)
    parser.add_argument("--targets", type=int, default=200)
    parser.add_argument("--port", type=int, default=7811)
    parser.add_argument("--viewers", type=int, default=20)
    parser.add_argument("--famous", type=int, default=10_000, help="followers that make an account famous")
    parser.add_argument(
        "--data-dir", default=".data/bench-relay", help="LMDB directory of the relay (emptied); '' for memory"
    )
    parser.add_argument(
        "--preload", action="store_true", help="write the events into the LMDB store instead of publishing"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep the LMDB store of an earlier run of the same graph"
    )
    parser.add_argument(
        "--graph-only",
        action="store_true",
        help="no relay: neighbourhood and PageRank on the generated graph",
    )
    args = parse_args(
        parser, users=300, targets=15, data_dir="", port=free_port(), preload=False, reuse=False
    )

    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, {os.cpu_count()} cores, Python {platform.python_version()}")
    now = int(datetime.now(UTC).timestamp())
    started = time.perf_counter()
    graph = generate_demo_graph(args.users, args.seed, now, DemoShape(mean_notes=args.mean_notes))
    follows = sum(len(f) for f in graph.follows)
    print(
        f"graph: {graph.size} pubkeys, {follows} follows, {graph.total_events()} events "
        f"(generated in {time.perf_counter() - started:.1f} s)"
    )
    if args.graph_only:
        compare_pagerank_in_memory(graph)
        return
    if (args.preload or args.reuse) and not args.data_dir:
        parser.error("--preload and --reuse need an LMDB --data-dir")
    if args.data_dir and not args.reuse:
        shutil.rmtree(args.data_dir, ignore_errors=True)
    if args.preload and not args.reuse:
        loaded = await preload_graph(Path(args.data_dir), graph)
        print(
            f"preloaded into LMDB: {loaded.saved} events saved ({loaded.rejected} rejected) in "
            f"{loaded.seconds:.0f} s ({loaded.saved / loaded.seconds:.0f} events/s, signing included)"
        )
    relay, url = start_relay(args.port, args.data_dir)
    try:
        if not (args.preload or args.reuse):
            accepted, seconds = await seed_relay(url, graph)
            print(
                f"seeded: {accepted} events accepted in {seconds:.0f} s ({accepted / seconds:.0f} events/s)"
            )
        seeds = tuple(graph.pubkeys[i] for i in graph.seeds)
        settings = WotSettings(seeds=seeds, request_deadline=120, build_deadline=600)
        from adapters.relay.websocket_pool import WebsocketRelayPool

        pool = WebsocketRelayPool(urls=(url,))
        await pool.start()
        calculator = WotCalculator(pool, settings)
        now_dt = datetime.now(UTC)

        t0 = time.perf_counter()
        contacts = await calculator.fetch_contacts()
        fetch = time.perf_counter() - t0
        t0 = time.perf_counter()
        hood = calculator.neighbourhood_from(contacts, int(now_dt.timestamp()))
        compute = time.perf_counter() - t0
        edges = int(hood.follows[:, : hood.member_count].nnz)
        print(
            f"neighbourhood: {len(contacts)} lists fetched in {fetch:.2f} s; computed in {compute:.3f} s; "
            f"{hood.member_count} members, {edges} member edges, "
            f"{len(hood.pubkeys) - hood.member_count} in the ring, "
            f"{len(hood.to_bytes()) / 1e6:.1f} MB packed"
        )

        compare_pagerank(hood, seeds, settings.damping)

        followers = np.bincount(np.concatenate(graph.follows), minlength=graph.size)
        rng = np.random.default_rng(args.seed)
        ordinary = [
            graph.pubkeys[i]
            for i in rng.choice(np.flatnonzero(followers < 1000), args.targets, replace=False)
        ]
        famous = [graph.pubkeys[i] for i in np.flatnonzero(followers >= args.famous)]
        print(f"most followed account: {int(followers.max())} followers")
        famous_label = f"{args.famous}+ followers"
        for label, group in (("ordinary", ordinary), (famous_label, famous)):
            if not group:
                print(f"cold score, {label}: no such accounts in this graph")
                continue
            timings = []
            for position, pubkey in enumerate(group):
                if position % 100 == 0:
                    # LocalRelay allows one connection about 1,200 queries a minute (10 per score).
                    await pool.close()
                    pool = WebsocketRelayPool(urls=(url,))
                    await pool.start()
                    calculator = WotCalculator(pool, settings)
                    await calculator.figures(pubkey, hood, datetime.now(UTC))  # connection warm-up
                t0 = time.perf_counter()
                await calculator.figures(pubkey, hood, datetime.now(UTC))
                timings.append(time.perf_counter() - t0)
            print(
                f"cold score, {label} ({len(group)} accounts): p50 {percentile(timings, 0.5) * 1000:.0f} ms, "
                f"p95 {percentile(timings, 0.95) * 1000:.0f} ms"
            )
        await pool.close()
        groups = [
            (label, group[:21]) for label, group in (("ordinary", ordinary), (famous_label, famous)) if group
        ]
        await profile_cold_scores(url, settings, hood, groups)

        http = await measure_http(url, seeds, ordinary[:50] + famous[:10], free_port())
        print(
            f"cached score over HTTP ({http['n']} requests): p50 {http['p50'] * 1000:.2f} ms, "
            f"p95 {http['p95'] * 1000:.2f} ms"
        )
        await measure_viewers(url, settings, ordinary[-args.viewers :])
        viewed = await measure_http(url, seeds, ordinary[:50] + famous[:10], args.port + 2, ordinary[-1])
        print(
            f"cached personalized score over HTTP (?viewer=, {viewed['n']} requests): "
            f"p50 {viewed['p50'] * 1000:.2f} ms, p95 {viewed['p95'] * 1000:.2f} ms"
        )
        if famous:
            await famous_side_by_side(url, settings, hood, famous)
    finally:
        relay.terminate()
        relay.wait(timeout=30)


if __name__ == "__main__":
    asyncio.run(main())
