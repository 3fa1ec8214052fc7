"""NIP-98 against bearer-token requests: throughput and latency of GET /api/v1/me.

Runs `nostr-id serve` (one worker, real PostgreSQL and Redis) on a throwaway migrated database,
signs in once, then sends the same authenticated read with `Authorization: Bearer` and with
`Authorization: Nostr` (a fresh NIP-98 event per request, signed before the timed run), alternating
rounds so both see the same machine. Run as `python -m bench.auth [--requests N] [--concurrency C]`.
"""

import argparse
import asyncio
import base64
import os
import secrets
import statistics
import subprocess
import sys
import time

import httpx
import msgspec
import psycopg
from psycopg import sql

from adapters.postgres.migrations import apply_migrations
from domain.nostr.signing import generate_secret_key, sign_event

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _run(client: httpx.AsyncClient, headers: list[dict[str, str]], concurrency: int) -> list[float]:
    latencies: list[float] = []
    queue = iter(headers)

    async def worker() -> None:
        for header in queue:
            started = time.perf_counter()
            response = await client.get("/api/v1/me", headers=header)
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"unexpected {response.status_code}: {response.text}")

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


def _nip98_headers(secret: str, url: str, count: int) -> list[dict[str, str]]:
    now = int(time.time())
    headers = []
    for index in range(count):
        event = sign_event(
            secret,
            kind=27235,
            tags=[["u", url], ["method", "GET"], ["nonce", str(index)]],
            content="",
            created_at=now,
        )
        headers.append({"Authorization": "Nostr " + base64.b64encode(msgspec.json.encode(event)).decode()})
    return headers


def _summary(name: str, latencies: list[float], seconds: float) -> dict[str, float]:
    ordered = sorted(latencies)
    figures = {
        "rps": len(latencies) / seconds,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[int(len(ordered) * 0.99) - 1] * 1000,
    }
    rps, p50, p99 = figures["rps"], figures["p50_ms"], figures["p99_ms"]
    print(f"{name:7s} {rps:8.0f} req/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms")
    return figures


async def _measure(base_url: str, requests: int, concurrency: int, rounds: int) -> None:
    secret = generate_secret_key()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as client:
        challenge = (await client.post("/api/v1/auth/challenge")).json()["challenge"]
        event = sign_event(
            secret,
            kind=22242,
            tags=[["relay", base_url], ["challenge", challenge]],
            content="",
            created_at=int(time.time()),
        )
        tokens = (await client.post("/api/v1/auth/login", json={"event": msgspec.to_builtins(event)})).json()
        bearer = [{"Authorization": f"Bearer {tokens['access_token']}"}] * requests
        await _run(client, bearer[:200], concurrency)  # warm-up
        results: dict[str, list[float]] = {"bearer": [], "nip98": []}
        elapsed = {"bearer": 0.0, "nip98": 0.0}
        for _ in range(rounds):
            started = time.perf_counter()
            results["bearer"] += await _run(client, bearer, concurrency)
            elapsed["bearer"] += time.perf_counter() - started
            signed = _nip98_headers(secret, f"{base_url}/api/v1/me", requests)
            started = time.perf_counter()
            results["nip98"] += await _run(client, signed, concurrency)
            elapsed["nip98"] += time.perf_counter() - started
    bearer_figures = _summary("bearer", results["bearer"], elapsed["bearer"])
    nip98_figures = _summary("nip98", results["nip98"], elapsed["nip98"])
    print(f"NIP-98 / bearer throughput: {nip98_figures['rps'] / bearer_figures['rps']:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000, help="requests per round and kind")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    name = "nostr_id_bench_" + secrets.token_hex(4)
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    dsn = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    serve = None
    try:
        apply_migrations(dsn)
        env = {
            **os.environ,
            "DATABASE_URL": dsn,
            "REDIS_URL": REDIS_URL,
            "RELAY_URLS": "memory://",
            "PUBLIC_URL": base_url,
            "JWT_SECRET": secrets.token_hex(32),
            "LOG_LEVEL": "WARNING",
            "DATA_DIR": f"/tmp/{name}",
        }
        serve = subprocess.Popen(
            [sys.executable, "-m", "bootstrap.cli", "serve", "--port", str(port), "--workers", "1"],
            env=env,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base_url}/health/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        asyncio.run(_measure(base_url, args.requests, args.concurrency, args.rounds))
    finally:
        if serve is not None:
            serve.terminate()
            serve.wait(timeout=30)
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


if __name__ == "__main__":
    main()
