"""Relay fetch benchmark: N kind-3 events (about 150 `p` tags each) from one local relay, verified.

Three ways in the same run, each timed from a connected client to the last verified event:
  pool   WebsocketRelayPool.query (a fresh pool per round, so no signature is remembered)
  sdk    nostr-sdk's Python Client.fetch_events on the same relay, paged with `until` like the pool
  bound  the same frames already in memory: msgspec decode, id recomputed, signature checked, one thread,
         the events kept (and, for comparison, dropped as soon as they are checked)
  fetch  the same pages over a plain websocket, decoded, nothing verified: what the relay can serve

Run: .venv/bin/python -m bench.relay_fetch [--events 20000] [--tags 150] [--rounds 3] [--smoke]
"""

import argparse
import asyncio
import gc
import hashlib
import os
import platform
import random
import statistics
import time
from datetime import timedelta
from pathlib import Path

import msgspec
import nostr_sdk
from websockets.asyncio.client import connect

from adapters.relay.config import RelayLimits, RelayTimeouts
from adapters.relay.frames import EventMessage, relay_message_decoder
from adapters.relay.websocket_pool import WebsocketRelayPool
from bench.support import parse_args, start_relay
from domain.nostr.event import Event, Filter
from domain.nostr.serialization import canonical_bytes
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event, verify_schnorr

CONTACTS = 3
PAGE = 500  # what LocalRelay answers per filter at most, whatever the limit asked (as strfry does)


def contact_lists(count: int, tags: int) -> list[Event]:
    secrets = [generate_secret_key() for _ in range(count)]
    pubkeys = [public_key_of(secret) for secret in secrets]
    now = int(time.time())
    rng = random.Random(1)
    return [
        sign_event(
            secret,
            kind=CONTACTS,
            tags=[["p", followed] for followed in rng.sample(pubkeys, min(tags, count))],
            content="",
            created_at=now - rng.randrange(86400 * 365),
        )
        for secret in secrets
    ]


async def seed(url: str, events: list[Event]) -> int:
    pool = WebsocketRelayPool([url], timeouts=RelayTimeouts(deadline=60))
    accepted = 0
    try:
        for start in range(0, len(events), 1000):
            accepted += await pool.publish(events[start : start + 1000])
    finally:
        await pool.close()
    return accepted


async def fetch_with_pool(url: str, count: int) -> float:
    pool = WebsocketRelayPool(
        [url],
        limits=RelayLimits(max_events=10 * count, max_bytes=4 * 1024**3),
        timeouts=RelayTimeouts(deadline=600),
    )
    await pool.start()
    await pool.ping()
    try:
        started = time.perf_counter()
        events = await pool.query([Filter(kinds=(CONTACTS,))])
        elapsed = time.perf_counter() - started
    finally:
        await pool.close()
    assert len(events) == count, len(events)
    return elapsed


async def fetch_with_sdk(url: str, count: int) -> float:
    """nostr-sdk's Client does not page by itself; it is driven through the relay's cap with `until`,
    the same way the pool pages."""
    client = nostr_sdk.ClientBuilder().build()
    await client.add_relay(nostr_sdk.RelayUrl.parse(url))
    await client.connect()
    seen: set[str] = set()
    try:
        started = time.perf_counter()
        until: int | None = None
        while True:
            wanted = nostr_sdk.Filter().kind(nostr_sdk.Kind(CONTACTS)).limit(PAGE)
            if until is not None:
                wanted = wanted.until(nostr_sdk.Timestamp.from_secs(until))
            page = await client.fetch_events(nostr_sdk.ReqTarget.auto([wanted]), timedelta(seconds=600))
            fresh = {event.id().to_hex() for event in page} - seen
            seen |= fresh
            if len(page) < PAGE or not fresh:
                break
            until = min(event.created_at().as_secs() for event in page)
        elapsed = time.perf_counter() - started
    finally:
        await client.shutdown()
    assert len(seen) == count, len(seen)
    return elapsed


async def capture_frames(url: str, count: int) -> list[bytes]:
    """Every EVENT frame of the set, paged the same way, each event once."""
    frames: dict[str, bytes] = {}
    decoder = relay_message_decoder()
    async with connect(url, max_size=None, compression=None) as ws:
        until: int | None = None
        while True:
            wanted: dict[str, object] = {"kinds": [CONTACTS], "limit": PAGE}
            if until is not None:
                wanted["until"] = until
            await ws.send(msgspec.json.encode(["REQ", "bench", wanted]), text=True)
            page = []
            while True:
                frame = await ws.recv(decode=False)
                assert isinstance(frame, bytes)
                message = decoder.decode(frame)
                if not isinstance(message, EventMessage):
                    break
                page.append(message.event)
                frames.setdefault(message.event.id, frame)
            if len(page) < PAGE or len(frames) >= count:
                break
            until = min(event.created_at for event in page)
    return list(frames.values())


def decode_and_verify(frames: list[bytes], *, keep: bool) -> int:
    """The bound: decode, recompute the id, check the signature; `keep` holds on to the events, as a
    fetch must to return them (Python's cyclic GC then has 150 tag lists per event to track)."""
    decoder = relay_message_decoder()
    kept: list[Event] = []
    valid = 0
    for frame in frames:
        message = decoder.decode(frame)
        assert isinstance(message, EventMessage)
        event = message.event
        digest = hashlib.sha256(
            canonical_bytes(event.pubkey, event.created_at, event.kind, event.tags, event.content)
        ).digest()
        if digest.hex() == event.id and verify_schnorr(event.pubkey, digest, event.sig):
            valid += 1
            if keep:
                kept.append(event)
    return valid


def process_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    system = f"Python {platform.python_version()}, {platform.system()} {platform.machine()}"
    return f"{os.cpu_count()} cores ({cpu}), {system}"


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--tags", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=3)
    args = parse_args(parser, events=100, tags=5, rounds=1)

    print(f"machine: {machine()}")
    print(f"signing {args.events} contact lists of {args.tags} p tags ...", flush=True)
    events = contact_lists(args.events, args.tags)
    size = sum(len(msgspec.json.encode(e)) for e in events) / len(events)
    print(f"average event size: {size / 1024:.1f} KiB")
    # Events in memory: LocalRelay's LMDB store takes about 20 s per 1000 writes here, too slow to seed.
    relay, url = start_relay()
    try:
        accepted = await seed(url, events)
        frames = await capture_frames(url, args.events)
        assert accepted == len(frames) == args.events, (accepted, len(frames))
        names = ["pool", "sdk", "bound", "bound, events dropped", "fetch"]
        rates: dict[str, list[float]] = {name: [] for name in names}
        relay_cpu: list[float] = []
        for _ in range(args.rounds):
            gc.collect()
            cpu_before = process_cpu_seconds(relay.pid)
            rates["pool"].append(args.events / await fetch_with_pool(url, args.events))
            relay_cpu.append(process_cpu_seconds(relay.pid) - cpu_before)
            gc.collect()
            rates["sdk"].append(args.events / await fetch_with_sdk(url, args.events))
            for name, keep in (("bound", True), ("bound, events dropped", False)):
                gc.collect()
                started = time.perf_counter()
                assert decode_and_verify(frames, keep=keep) == args.events
                rates[name].append(args.events / (time.perf_counter() - started))
            gc.collect()
            started = time.perf_counter()
            await capture_frames(url, args.events)
            rates["fetch"].append(args.events / (time.perf_counter() - started))
    finally:
        relay.terminate()
        relay.wait()

    print(f"relay CPU while the pool fetched: {min(relay_cpu) / args.events * 1e6:.0f} us per event")
    best = {name: max(values) for name, values in rates.items()}
    for name, values in rates.items():
        shown = ", ".join(f"{v:,.0f}" for v in values)
        median = statistics.median(values)
        print(f"{name:>21}: best {best[name]:>7,.0f} events/s, median {median:>7,.0f} ({shown})")
    print(f"pool / sdk   = {best['pool'] / best['sdk']:.2f}x (target >= 2)")
    print(f"pool / bound = {best['pool'] / best['bound']:.2f}x (target >= 0.8)")
    print(f"pool / fetch = {best['pool'] / best['fetch']:.2f}x")
    print(f"fetch / bound = {best['fetch'] / best['bound']:.2f}x")


if __name__ == "__main__":
    asyncio.run(main())
