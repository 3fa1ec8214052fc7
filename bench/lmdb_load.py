"""Bulk load of signed events into the LMDB store of the embedded relay (benchmark set-up, not timed).

Over websockets LocalRelay on LMDB accepts a few hundred events a second on a 2-core machine, because
each event goes through its database callback one at a time. Before the relay starts, this writes the
events straight into the store it will open (`<data-dir>/lmdb`, as `bootstrap.embedded_relay` lays it
out). The events are not verified here (parsing is already the slow part): the generator signs them,
and our relay pool verifies every event it reads back.

    .venv/bin/python -m bench.lmdb_load --users 20000 --data-dir .data/bench-relay
    .venv/bin/python -m bench.lmdb_load --smoke      # a tiny graph into a temporary folder
"""

import argparse
import asyncio
import multiprocessing
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import msgspec

from application.demo.events import graph_events
from application.demo.graph import DemoGraph, DemoShape, generate_demo_graph
from bench.support import parse_args

ACCOUNTS_PER_CHUNK = 400
EVENTS_PER_BATCH = 500

_GRAPH: DemoGraph | None = None


class LoadResult(msgspec.Struct, frozen=True):
    saved: int
    rejected: int
    seconds: float


def _signed_json(bounds: tuple[int, int]) -> list[str]:
    assert _GRAPH is not None
    return [msgspec.json.encode(event).decode() for event in graph_events(_GRAPH, *bounds)]


def _account_ranges(size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, size, ACCOUNTS_PER_CHUNK):
        yield start, min(size, start + ACCOUNTS_PER_CHUNK)


async def save_events(store_path: Path, chunks: Iterable[list[str]], total: int | None = None) -> LoadResult:
    """Saves every event JSON of `chunks` into the LMDB store at `store_path`, concurrently in batches."""
    import nostr_sdk

    await asyncio.to_thread(store_path.mkdir, parents=True, exist_ok=True)
    database = await nostr_sdk.NostrLmdb.open(str(store_path))
    started = time.perf_counter()
    saved = rejected = 0
    try:
        for chunk in chunks:
            for start in range(0, len(chunk), EVENTS_PER_BATCH):
                events = [nostr_sdk.Event.from_json(text) for text in chunk[start : start + EVENTS_PER_BATCH]]
                statuses = await asyncio.gather(*(database.save_event(event) for event in events))
                good = sum(1 for status in statuses if status is not None and status.is_success())
                saved += good
                rejected += len(events) - good
            if total:
                print(f"  saved {saved}/{total}", file=sys.stderr)
    finally:
        del database  # the relay process opens the same store next
    return LoadResult(saved=saved, rejected=rejected, seconds=time.perf_counter() - started)


async def preload_graph(data_dir: Path, graph: DemoGraph, signers: int = 2) -> LoadResult:
    """Signs the events of `graph` in worker processes and saves them into `<data_dir>/lmdb`."""
    global _GRAPH
    _GRAPH = graph
    with multiprocessing.get_context("fork").Pool(signers) as pool:
        return await save_events(
            data_dir / "lmdb", pool.imap(_signed_json, _account_ranges(graph.size)), graph.total_events()
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mean-notes", type=float, default=3.0)
    parser.add_argument("--data-dir", type=Path, help="written under <data-dir>/lmdb")
    parser.add_argument("--sign-first", action="store_true", help="sign everything, then time the saving")
    args = parse_args(parser, users=100)
    if args.smoke:
        with tempfile.TemporaryDirectory(prefix="lmdb-load-") as folder:
            args.data_dir = Path(folder)
            await load(args)
    elif args.data_dir is None:
        parser.error("--data-dir is required")
    else:
        await load(args)


async def load(args: argparse.Namespace) -> None:
    now = int(datetime.now(UTC).timestamp())
    graph = generate_demo_graph(args.users, args.seed, now, DemoShape(mean_notes=args.mean_notes))
    if args.sign_first:
        global _GRAPH
        _GRAPH = graph
        t0 = time.perf_counter()
        with multiprocessing.get_context("fork").Pool(2) as pool:
            chunks = list(pool.imap(_signed_json, _account_ranges(graph.size)))
        print(f"signed {sum(map(len, chunks))} events in {time.perf_counter() - t0:.1f} s")
        result = await save_events(args.data_dir / "lmdb", chunks)
    else:
        result = await preload_graph(args.data_dir, graph)
    print(
        f"saved {result.saved} events ({result.rejected} rejected) in {result.seconds:.1f} s "
        f"({result.saved / result.seconds:.0f} events/s)"
    )


if __name__ == "__main__":
    asyncio.run(main())
