"""nostr.json in process: the cost of one warm answer through `create_app`, with no server or socket.

    .venv/bin/python -m bench.nip05_in_process [--requests 100000] [--unknown] [--smoke]

The app is built as `nostr-id serve` builds a worker's (the real container on a database made for
the run, Redis at BENCH_REDIS_URL, prometheus_client in multiprocess mode as with `--workers`), then
called directly with a prepared scope and a `send` that keeps nothing. Prints microseconds per request
next to a bare ASGI function answering the same bytes, called the same way. With `--unknown` every
request asks a name nobody holds, a new one each time (a flood of random names), and the run also
prints what the flood cost beyond time: connections taken from the PostgreSQL pool (one per query
transaction) and nostr.json answers kept in Redis.
"""

import argparse
import asyncio
import os
import secrets
import shutil
import sys
import tempfile
import time
from typing import Any

import psycopg
import redis.asyncio as redis
from prometheus_client import values
from psycopg import sql

from adapters.http.app import create_app
from adapters.postgres.migrations import apply_migrations
from bench.nip05 import ADMIN_URL, DOMAIN, REDIS_URL, _prepare
from bench.support import parse_args
from bootstrap.container import Container
from bootstrap.settings import load_settings


def _scope(query: bytes = b"name=alice") -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/.well-known/nostr.json",
        "raw_path": b"/.well-known/nostr.json",
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", DOMAIN.encode()), (b"user-agent", b"bench")],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
        "extensions": {},
    }


async def _per_request(app: Any, requests: int, unknown: bool = False) -> float:
    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        return None

    for _ in range(2_000):
        await app(_scope(), receive, send)
    queries = [
        b"name=" + secrets.token_hex(8).encode() if unknown else b"name=alice" for _ in range(requests)
    ]
    started = time.perf_counter()
    for query in queries:
        await app(_scope(query), receive, send)
    return (time.perf_counter() - started) / requests * 1e6


async def _answers_in_redis() -> int:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        return len([key async for key in client.scan_iter(match=f"*verdict:nip05:{DOMAIN}/*", count=1000)])
    finally:
        await client.aclose()


async def _measure(dsn: str, data_dir: str, requests: int, unknown: bool) -> None:
    await _prepare(dsn)
    settings = load_settings(
        {
            "DATABASE_URL": dsn,
            "REDIS_URL": REDIS_URL,
            "RELAY_URLS": "memory://",
            "DEFAULT_DOMAIN": DOMAIN,
            "LOG_LEVEL": "WARNING",
            "DATA_DIR": data_dir,
        }
    )
    container = Container(settings=settings)
    app = create_app(container, debug=False)
    lifespan_in: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    lifespan_out: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    await lifespan_in.put({"type": "lifespan.startup"})
    lifespan = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}}, lifespan_in.get, lifespan_out.put)
    )
    started = await lifespan_out.get()
    if started["type"] != "lifespan.startup.complete":
        raise SystemExit(f"the app did not start: {started}")
    body = b'{"names":{}}'

    async def bare(scope: Any, receive: Any, send: Any) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    pool = container.db_pool()
    await _per_request(app, 1)  # the warm-up's known name is loaded before the count starts
    taken, kept = pool.get_stats().get("requests_num", 0), await _answers_in_redis()
    ours = await _per_request(app, requests, unknown)
    if unknown:
        taken = pool.get_stats().get("requests_num", 0) - taken
        kept = await _answers_in_redis() - kept
        print(
            f"{requests} distinct unknown names: {taken} PostgreSQL pool checkouts, "
            f"{kept} answers kept in Redis"
        )
    floor = await _per_request(bare, requests)
    print(f"nostr-id nostr.json through create_app: {ours:.2f} us per request")
    print(f"bare ASGI function:                      {floor:.2f} us per request")
    await lifespan_in.put({"type": "lifespan.shutdown"})
    await lifespan


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--unknown", action="store_true", help="a new name nobody holds per request")
    args = parse_args(parser, requests=200)
    print(f"Python {sys.version.split()[0]}, load average before: {os.getloadavg()}")
    # prometheus_client in multiprocess mode, as `nostr-id serve` sets it up for its workers.
    metrics_dir = tempfile.mkdtemp(prefix="nostr-id-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    values.ValueClass = values.get_value_class()
    name = "nostr_id_bench_" + secrets.token_hex(4)
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    dsn = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    data_dir = tempfile.mkdtemp(prefix="nip05-in-process-")
    try:
        apply_migrations(dsn)
        asyncio.run(_measure(dsn, data_dir, args.requests, args.unknown))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        shutil.rmtree(metrics_dir, ignore_errors=True)
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


if __name__ == "__main__":
    main()
