"""Burst benchmark: cold Web of Trust scores through the app we ship, as a new user would try it.

    .venv/bin/python -m bench.wot_burst [--users 2000] [--seed 1] [--concurrency 50] [--compare-nagle]
                                         [--overload N] [--smoke]

1. Starts the embedded relay (`python -m bootstrap.embedded_relay`, on LMDB) and a granian server
   of the real app (`Container(settings=...)` from the environment, `create_app`; the database pool
   is swapped for one that is never opened, since scoring never touches PostgreSQL).
2. Runs `nostr-id demo seed` against the relay while the server runs: the server picks up the new
   seeds from DATA_DIR/demo.json without a restart.
3. Warms the trust neighbourhood with one score outside the burst, then asks for the score of each
   of the seeds' follows once (all cold), `--concurrency` requests at a time over real HTTP on
   loopback, and reports scores/s, answers by status and latency percentiles.
4. With --overload N, a second server with a short request deadline is asked for every other
   pubkey, N at a time: more cold work than it can start in time, to show the refusals come at
   once (503 with Retry-After), not after the deadline.
5. Reference, same run: the relay's raw rate for the same kind of request (REQs that each find one
   event, 8 in flight on one connection, as our pool sends them), and with --compare-nagle the
   whole burst again on a relay that leaves Nagle's algorithm on (LocalRelay's own behaviour).
"""

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from dependency_injector import providers
from litestar import Litestar
from websockets.asyncio.client import connect

from adapters.http.app import create_app
from application.demo.graph import generate_demo_graph
from bench.support import free_port, granian_command, parse_args, start_relay
from bootstrap.container import Container
from bootstrap.settings import load_settings
from domain.nostr.signing import generate_secret_key, public_key_of

ROOT = str(Path(__file__).resolve().parent.parent)
START_TIMEOUT = 60.0


def burst_app() -> Litestar:
    """The granian factory: the container from the environment; scoring reads no database, so
    without DATABASE_URL the pool is left closed."""
    container = Container(settings=load_settings(os.environ))
    if container.settings().database_url is None:
        container.db_pool_lifecycle.override(providers.Object(None))
    return create_app(container)


def start_server(port: int, environment: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(granian_command("bench.wot_burst:burst_app", port), cwd=ROOT, env=environment)


def log(message: str) -> None:
    print(f"# {time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def raw_req_rate(relay_url: str, authors: list[str], in_flight: int = 8) -> float:
    """REQs per second that each find one event (the latest contact list of one author), `in_flight`
    at a time over one connection."""
    async with connect(relay_url, max_size=None) as ws:
        pending: dict[str, asyncio.Future[None]] = {}

        async def reader() -> None:
            async for message in ws:
                frame = json.loads(message)
                if frame[0] in ("EOSE", "CLOSED") and frame[1] in pending:
                    pending.pop(frame[1]).set_result(None)

        reading = asyncio.create_task(reader())
        slots = asyncio.Semaphore(in_flight)

        async def one(number: int, author: str) -> None:
            async with slots:
                done = asyncio.get_running_loop().create_future()
                pending[f"r{number}"] = done
                await ws.send(
                    json.dumps(["REQ", f"r{number}", {"authors": [author], "kinds": [3], "limit": 1}])
                )
                await done
                await ws.send(json.dumps(["CLOSE", f"r{number}"]))

        started = time.perf_counter()
        async with asyncio.timeout(120):
            await asyncio.gather(*(one(number, author) for number, author in enumerate(authors)))
        took = time.perf_counter() - started
        reading.cancel()
        return len(authors) / took


async def burst(base_url: str, targets: list[str], concurrency: int) -> dict[str, object]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:
        slots = asyncio.Semaphore(concurrency)
        statuses: dict[int, int] = {}
        latencies: list[float] = []
        refused_after: list[float] = []
        with_retry_after: list[int] = []

        async def one(pubkey: str) -> None:
            async with slots:
                started = time.perf_counter()
                response = await client.get(f"/api/v1/wot/{pubkey}")
                took = time.perf_counter() - started
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                (latencies if response.status_code == 200 else refused_after).append(took)
                if response.status_code == 503 and "retry-after" in response.headers:
                    with_retry_after.append(int(response.headers["retry-after"]))

        started = time.perf_counter()
        await asyncio.gather(*(one(pubkey) for pubkey in targets))
        elapsed = time.perf_counter() - started
    unexpected = set(statuses) - {200, 503}
    if unexpected:
        raise RuntimeError(f"answers other than a score or a refusal: {statuses}")
    return {
        "scores": len(targets),
        "seconds": round(elapsed, 2),
        "scores_per_second": round(statuses.get(200, 0) / elapsed, 1),
        "statuses": statuses,
        "p50_ms": round(percentile(latencies, 0.5) * 1000, 1) if latencies else None,
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1) if latencies else None,
        "max_ms": round(max(latencies) * 1000, 1) if latencies else None,
        "refused_after_p50_ms": round(percentile(refused_after, 0.5) * 1000, 1) if refused_after else None,
        "refused_after_max_ms": round(max(refused_after) * 1000, 1) if refused_after else None,
        "refused_with_retry_after": len(with_retry_after),
    }


async def wait_until_scored(base_url: str, pubkey: str) -> float:
    """Asks for one score until it is served: the first request builds the trust neighbourhood."""
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        while True:
            try:
                response = await client.get(f"/api/v1/wot/{pubkey}")
                if response.status_code == 200 and response.json()["stale"] is False:
                    return time.perf_counter() - started
            except httpx.TransportError:
                pass
            if time.perf_counter() - started > START_TIMEOUT * 5:
                raise RuntimeError("the server never served a score")
            await asyncio.sleep(0.2)


async def run_once(args: argparse.Namespace, keep_nagle: bool) -> dict[str, object]:
    relay_port, http_port = free_port(), free_port()
    relay_url = f"ws://127.0.0.1:{relay_port}"
    with tempfile.TemporaryDirectory(prefix="wot-burst-") as data_dir:
        # On LMDB under DATA_DIR/relay, as `nostr-id serve` runs its embedded relay.
        relay, _ = start_relay(
            relay_port, str(Path(data_dir) / "relay"), ("--keep-nagle",) if keep_nagle else ()
        )
        environment = {
            **os.environ,
            "PYTHONPATH": ROOT,
            "RELAY_URLS": relay_url,
            "DATA_DIR": data_dir,
            "LOG_LEVEL": "WARNING",
            # Every request comes from one loopback address: the anonymous limit would answer 429.
            "RATE_LIMIT_ANONYMOUS": "1000000",
        }
        environment.pop("WOT_SEEDS", None)
        server = start_server(http_port, environment)
        base_url = f"http://127.0.0.1:{http_port}"
        try:
            await wait_until_scored(base_url, public_key_of(generate_secret_key()))
            started = time.perf_counter()
            log("seeding the demo graph while the server runs")
            seeder = await asyncio.create_subprocess_exec(
                *[sys.executable, "-m", "bootstrap.cli", "demo", "seed"],
                *["--users", str(args.users), "--seed", str(args.seed)],
                cwd=ROOT,
                env=environment,
                stdout=subprocess.DEVNULL,
            )
            if await seeder.wait() != 0:
                raise RuntimeError("demo seed failed")
            seeding = time.perf_counter() - started
            graph = generate_demo_graph(args.users, args.seed, int(time.time()))
            seeds = [graph.pubkeys[index] for index in graph.seeds]
            follows = {int(followed) for index in graph.seeds for followed in graph.follows[index]}
            targets = [graph.pubkeys[index] for index in sorted(follows) if index not in graph.seeds]
            # One score outside the burst, after the seeds changed: builds the new neighbourhood.
            log(f"seeded in {seeding:.1f} s; building the neighbourhood of the new seeds")
            warm = await wait_until_scored(base_url, public_key_of(generate_secret_key()))
            log(f"burst of {len(targets)} cold scores, {args.concurrency} at a time")
            result = await burst(base_url, targets, args.concurrency)
            log(f"burst: {result}; the relay's raw REQ rate")
            raw = await raw_req_rate(relay_url, [graph.pubkeys[i] for i in range(min(args.users, 2000))])
            overload = None
            if args.overload and not keep_nagle:
                overload = await overload_run(
                    args, environment, [p for p in graph.pubkeys if p not in targets]
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
            relay.terminate()
            relay.wait(timeout=30)
    return {
        "relay": "LocalRelay, Nagle left on" if keep_nagle else "LocalRelay, TCP_NODELAY (our launcher)",
        "seeds": len(seeds),
        "seeding_s": round(seeding, 1),
        "neighbourhood_warm_s": round(warm, 2),
        **result,
        "raw_req_per_second_8_in_flight": round(raw, 1),
        **({"overload": overload} if overload is not None else {}),
    }


async def overload_run(
    args: argparse.Namespace, environment: dict[str, str], cold: list[str]
) -> dict[str, object]:
    """A second server with a short deadline, asked for every other pubkey at once: more cold work
    than it can start in time, so the admission gate must refuse some, and at once."""
    port = free_port()
    deadline = args.overload_deadline
    server = start_server(port, {**environment, "WOT_REQUEST_DEADLINE": str(deadline)})
    base_url = f"http://127.0.0.1:{port}"
    try:
        await wait_until_scored(base_url, public_key_of(generate_secret_key()))
        log(f"overload: {len(cold)} cold scores, {args.overload} at a time, deadline {deadline:g} s")
        result = await burst(base_url, cold, args.overload)
        log(f"overload: {result}")
        result["server_side"] = await server_side_latency(base_url)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"deadline_s": deadline, "concurrency": args.overload, **result}


async def server_side_latency(base_url: str) -> dict[str, object]:
    """From the server's own /metrics: how long the single-score route took inside the app."""
    from prometheus_client.parser import text_string_to_metric_families

    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        text = (await client.get("/metrics")).text
    buckets: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        if family.name != "nostr_id_http_request_seconds":
            continue
        for sample in family.samples:
            if sample.name.endswith("_bucket") and "wot/{pubkey" in sample.labels.get("route", ""):
                buckets[sample.labels["le"]] = buckets.get(sample.labels["le"], 0.0) + sample.value
    total = buckets.get("+Inf", 0.0)
    if not total:
        return {"requests": 0}
    return {
        "requests": int(total),
        **{f"within_{le}_s": round(n / total, 3) for le, n in buckets.items() if le != "+Inf"},
    }


def machine() -> dict[str, str]:
    def run(command: list[str]) -> str:
        try:
            return subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return "unknown"

    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in run(["lscpu"]).splitlines()
            if line.startswith("Model name")
        ),
        platform.processor(),
    )
    return {
        "cpu": model,
        "cpus": str(os.cpu_count()),
        "load": run(["uptime"]),
        "python": platform.python_version(),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.wot_burst")
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--compare-nagle", action="store_true", help="repeat on a relay that leaves Nagle on")
    parser.add_argument(
        "--overload", type=int, default=0, help="then ask for every other pubkey, this many at a time"
    )
    parser.add_argument("--overload-deadline", type=float, default=0.5, help="WOT_REQUEST_DEADLINE then")
    args = parse_args(parser, users=60, concurrency=5, overload=10, compare_nagle=False)
    print(json.dumps({"machine": machine()}, indent=2), flush=True)
    runs = [False, True] if args.compare_nagle else [False]
    for keep_nagle in runs:
        print(json.dumps(await run_once(args, keep_nagle), indent=2), flush=True)
    print(json.dumps({"load_after": machine()["load"]}), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
