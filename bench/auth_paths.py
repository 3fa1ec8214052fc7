"""Auth-paths benchmark (run by hand; figures go to docs/benchmarks.md).

    .venv/bin/python -m bench.auth_paths [--requests 3000] [--concurrency 16] [--rounds 3] [--smoke]

One granian worker serves the real app (bench/auth_app.py) on the real PostgreSQL (a database made
for the run and dropped after) and the real Redis (a namespace of its own, deleted after). Over HTTP,
with the typed client for set-up (sign in with Nostr, create a wot:read key, warm one score):

- WoT read of a cached score, anonymous and unlimited (no rate-limit check) — the baseline;
- the same read with X-API-Key: key verification, the GCRA rate limit in Redis, metering;
- GET /api/v1/me with a bearer token — the baseline of the second pair;
- the same with a NIP-98 event (signed beforehand: a fresh event per request, checked, its id
  stored in the replay store).

The arms run in interleaved rounds against the same process; each figure is the median over rounds
of throughput (requests/s) and of p50/p99 latency.
"""

import argparse
import asyncio
import base64
import json
import os
import platform
import secrets
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import msgspec
import psycopg
import redis
from psycopg import sql

from adapters.postgres.migrations import apply_migrations
from bench.support import free_port, granian_command, parse_args, wait_ready
from client import NostrIdClient, NostrSigner
from domain.billing.plans import DEFAULT_PLANS

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).resolve().parents[1]

Headers = Callable[[int], dict[str, str]]


async def _arm(
    base_url: str, path: str, headers: Headers, requests: int, concurrency: int
) -> tuple[float, list[float]]:
    latencies: list[float] = []
    next_index = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as http:

        async def worker() -> None:
            nonlocal next_index
            while next_index < requests:
                index = next_index
                next_index += 1
                started = time.perf_counter()
                response = await http.get(path, headers=headers(index))
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise RuntimeError(f"{path}: {response.status_code} {response.text}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return requests / elapsed, latencies


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def unlimited_plans() -> str:
    """BILLING_PLANS: the default plans, each allowing a million API requests a minute."""
    plans = [
        msgspec.structs.replace(
            plan, quotas=msgspec.structs.replace(plan.quotas, api_requests_per_minute=10**6)
        )
        for plan in DEFAULT_PLANS
    ]
    return msgspec.json.encode(plans).decode()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    args = parse_args(parser, requests=100, concurrency=4, rounds=1)

    database = "nostr_id_bench_" + secrets.token_hex(4)
    namespace = "nostr-id-bench-" + secrets.token_hex(4)
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    dsn = ADMIN_URL.rsplit("/", 1)[0] + "/" + database
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    served = None
    try:
        apply_migrations(dsn)
        env = {
            **os.environ,
            "ENVIRONMENT": "test",
            "DATABASE_URL": dsn,
            "REDIS_URL": REDIS_URL,
            "BENCH_REDIS_NAMESPACE": namespace,
            "RELAY_URLS": "memory://",
            "PUBLIC_URL": base_url,
            "JWT_SECRET": secrets.token_hex(32),
            "SERVICE_NSEC": secrets.token_hex(32),
            # A key is charged at its owner's plan rate: the free plan's is raised out of the way.
            "BILLING_PLANS": unlimited_plans(),
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
        served = subprocess.Popen(granian_command("bench.auth_app:create_bench_app", port), env=env, cwd=ROOT)
        wait_ready(base_url, served)
        run(base_url, args)
    finally:
        if served is not None:
            served.terminate()
            served.wait(timeout=30)
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=namespace + ":*", count=1000))
        if keys:
            client.delete(*keys)


def run(base_url: str, args: argparse.Namespace) -> None:
    load_before = os.getloadavg()
    signer = NostrSigner.generate()
    api = NostrIdClient(base_url)
    tokens = api.sign_in_with_nostr(signer_secret := secrets.token_hex(32))
    signed_in = api.with_bearer(tokens.access_token)
    key = signed_in.create_api_key("bench", ["wot:read"]).key
    target = NostrSigner.generate().pubkey
    api.wot(target)  # computed once; every timed read is of the cached score
    me_url = base_url + "/api/v1/me"
    nostr = NostrSigner(signer_secret)
    del signer

    def nip98_headers() -> Headers:
        # Signed before the arm starts (fresh events, inside the 60 s window): the client's signing
        # is not part of the figure.
        # Events signed in the same second would be identical (and refused as replays): a nonce tag
        # keeps each one distinct, as distinct seconds do for a real client.
        events = [
            "Nostr "
            + base64.b64encode(
                json.dumps(
                    nostr.sign(27235, [["u", me_url], ["method", "GET"], ["nonce", secrets.token_hex(8)]])
                ).encode()
            ).decode()
            for _ in range(args.requests + 64)
        ]
        return lambda index: {"Authorization": events[index]}

    arms: dict[str, tuple[str, Callable[[], Headers]]] = {
        "wot, anonymous, unlimited": (f"/api/v1/wot/{target}", lambda: lambda _: {}),
        "wot, API key, limited, metered": (f"/api/v1/wot/{target}", lambda: lambda _: {"X-API-Key": key}),
        "me, bearer": ("/api/v1/me", lambda: lambda _: {"Authorization": f"Bearer {tokens.access_token}"}),
        "me, NIP-98": ("/api/v1/me", nip98_headers),
    }
    figures: dict[str, list[tuple[float, float, float]]] = {name: [] for name in arms}
    for _round in range(args.rounds):
        for name, (path, headers) in arms.items():
            asyncio.run(_arm(base_url, path, headers(), min(200, args.requests), args.concurrency))  # warm-up
            throughput, latencies = asyncio.run(
                _arm(base_url, path, headers(), args.requests, args.concurrency)
            )
            figures[name].append((throughput, _percentile(latencies, 0.5), _percentile(latencies, 0.99)))

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"load average (1, 5, 15 min) before: {load_before}, after: {os.getloadavg()}")
    print(
        f"{args.rounds} rounds x {args.requests} requests, concurrency {args.concurrency}, one granian worker"
    )
    print(f"{'arm':34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    medians = {}
    for name, rows in figures.items():
        throughput = statistics.median(row[0] for row in rows)
        p50 = statistics.median(row[1] for row in rows) * 1000
        p99 = statistics.median(row[2] for row in rows) * 1000
        medians[name] = throughput
        print(f"{name:34} {throughput:8.0f} {p50:8.2f} {p99:8.2f}")
    keyed = medians["wot, API key, limited, metered"] / medians["wot, anonymous, unlimited"]
    nip98 = medians["me, NIP-98"] / medians["me, bearer"]
    print(f"API key / anonymous: {keyed:.2f}x (target >= 0.5x)")
    print(f"NIP-98 / bearer: {nip98:.2f}x (target >= 0.5x)")


if __name__ == "__main__":
    main()
