"""nostr.json benchmark: our warm answer against nginx serving the same bytes as a static file and a
bare ASGI app returning them on the same ASGI server (granian), one server worker each on core 0,
wrk on core 1. Then our p99 at half our peak rate (wrk paced by bench/wrk_paced.lua).

    bash bench/nip05_setup.sh          # wrk and nginx from Debian
    .venv/bin/python -m bench.nip05 [--duration 15] [--connections 64] [--smoke]

The service is `nostr-id serve --workers 1` on a database made for the run (dropped at the end) and
Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/14), wired as in production.
"""

import argparse
import asyncio
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg
from psycopg import sql

from adapters.postgres.migrations import apply_migrations
from bench.support import free_port, parse_args
from bootstrap.container import Container
from bootstrap.settings import load_settings
from domain.auth.users import User

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
DOMAIN = "bench.nostr-id.test"
PATH = "/.well-known/nostr.json?name=alice"
SERVER_CORE, WRK_CORE = "0", "1"
PACED_DELAY_MS = 4


def _wait_http(url: str, host: str, limit: float = 60.0) -> httpx.Response:
    deadline = time.monotonic() + limit
    while True:
        try:
            response = httpx.get(url, headers={"host": host}, timeout=2)
            if response.status_code == 200 and b'"alice"' in response.content:
                return response
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            last = locals().get("response")
            raise SystemExit(f"{url} did not answer 200 (last: {last} {last.content[:300] if last else ''})")
        time.sleep(0.3)


def _wrk(port: int, duration: int, connections: int, *extra: str, env: dict[str, str] | None = None) -> dict:
    command = [
        "taskset",
        "-c",
        WRK_CORE,
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "-H",
        f"Host: {DOMAIN}",
        *extra,
        f"http://127.0.0.1:{port}{PATH}",
    ]
    out = subprocess.run(
        command, capture_output=True, text=True, check=True, env={**os.environ, **(env or {})}
    )
    text = out.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", text)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return {
        "rate": rate,
        "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else float("nan"),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


async def _prepare(dsn: str) -> str:
    settings = load_settings(
        {"DATABASE_URL": dsn, "REDIS_URL": REDIS_URL, "RELAY_URLS": "memory://", "DEFAULT_DOMAIN": DOMAIN}
    )
    container = Container(settings=settings)
    await container.init_resources()
    try:
        user = User.register(secrets.token_hex(32), container.clock().now())
        async with container.unit_of_work() as uow:
            await uow.users.add(user)
            await uow.commit()
        await container.names.register_name()(
            user.id, "alice", relays=["wss://relay.damus.io", "wss://nos.lol"]
        )
        return user.pubkey
    finally:
        await container.shutdown_resources()


def _start(
    command: list[str], env: dict[str, str] | None = None, log: Path | None = None
) -> subprocess.Popen[bytes]:
    output = log.open("wb") if log else subprocess.DEVNULL
    return subprocess.Popen(
        ["taskset", "-c", SERVER_CORE, *command],
        env={**os.environ, **(env or {})},
        stdout=output,
        stderr=subprocess.STDOUT,
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=64)
    args = parse_args(parser, duration=1, connections=4)
    for tool in ("wrk", "taskset"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is missing: run bash bench/nip05_setup.sh")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"

    name = "nostr_id_bench_" + secrets.token_hex(4)
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    dsn = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    processes: list[subprocess.Popen[bytes]] = []
    workdir = Path(tempfile.mkdtemp(prefix="nip05-bench-"))
    workdir.chmod(0o755)  # nginx's workers read the static file as an unprivileged user
    try:
        apply_migrations(dsn)
        asyncio.run(_prepare(dsn))
        ours_port, nginx_port, bare_port = free_port(), free_port(), free_port()
        serve_env = {
            "DATABASE_URL": dsn,
            "REDIS_URL": REDIS_URL,
            "RELAY_URLS": "memory://",
            "DEFAULT_DOMAIN": DOMAIN,
            "LOG_LEVEL": "WARNING",
            "DATA_DIR": str(workdir),
            # No balancer to leave: the benchmark's server stops at once.
            "DRAIN_SECONDS": "0",
        }
        processes.append(
            _start(
                [sys.executable, "-m", "bootstrap.cli", "serve", "--port", str(ours_port), "--workers", "1"],
                serve_env,
                workdir / "serve.log",
            )
        )
        try:
            warm = _wait_http(f"http://127.0.0.1:{ours_port}{PATH}", DOMAIN)
        except SystemExit:
            print((workdir / "serve.log").read_text(errors="replace")[-3000:])
            raise
        body = warm.content
        (workdir / "www" / ".well-known").mkdir(parents=True)
        (workdir / "www" / ".well-known" / "nostr.json").write_bytes(body)
        (workdir / "body.json").write_bytes(body)
        (workdir / "nginx.conf").write_text(
            f"worker_processes 1; daemon off; pid {workdir}/nginx.pid; error_log {workdir}/error.log;\n"
            "events { worker_connections 1024; }\n"
            f"http {{ access_log off; server {{ listen 127.0.0.1:{nginx_port}; root {workdir}/www;\n"
            "  location = /.well-known/nostr.json { default_type application/json;\n"
            "    add_header Access-Control-Allow-Origin *;\n"
            "    add_header Cache-Control 'public, max-age=60'; } } }\n"
        )
        processes.append(_start([nginx, "-c", str(workdir / "nginx.conf"), "-p", str(workdir)]))
        granian = str(Path(sys.executable).parent / "granian")
        processes.append(
            _start(
                [
                    granian,
                    "--interface",
                    "asgi",
                    "--workers",
                    "1",
                    "--port",
                    str(bare_port),
                    "bench.nip05_bare_app:app",
                ],
                {"BENCH_NIP05_BODY": str(workdir / "body.json")},
            )
        )
        _wait_http(f"http://127.0.0.1:{nginx_port}{PATH}", DOMAIN)
        _wait_http(f"http://127.0.0.1:{bare_port}{PATH}", DOMAIN)

        print(
            f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"load average before: {os.getloadavg()}"
        )
        print(f"body: {len(body)} bytes {body.decode()}")
        results = {}
        for label, port in (
            ("nginx static", nginx_port),
            ("bare ASGI (granian)", bare_port),
            ("nostr-id nostr.json", ours_port),
        ):
            _wrk(port, min(3, args.duration), args.connections)  # warm-up
            results[label] = _wrk(port, args.duration, args.connections)
            print(
                f"{label:22} {results[label]['rate']:>10.0f} req/s  p99 {results[label]['p99_ms']:.2f} ms"
                f"  non-2xx {results[label]['non_2xx']}"
            )
        ours = results["nostr-id nostr.json"]["rate"]
        print(
            f"ours / nginx = {ours / results['nginx static']['rate']:.3f}   "
            f"ours / bare ASGI = {ours / results['bare ASGI (granian)']['rate']:.3f}"
        )
        target = ours / 2
        connections = max(1, round(target * PACED_DELAY_MS / 1000))
        pacer = str(Path(__file__).with_name("wrk_paced.lua"))
        paced_env = {"WRK_DELAY_MS": str(PACED_DELAY_MS)}
        # Latency adds to each connection's pause: one calibration run, then connections scaled to the target.
        calibration = _wrk(ours_port, min(5, args.duration), connections, "-s", pacer, env=paced_env)
        connections = max(1, round(connections * target / calibration["rate"]))
        for label, port in (("nostr-id nostr.json", ours_port), ("bare ASGI (granian)", bare_port)):
            paced = _wrk(port, args.duration, connections, "-s", pacer, env=paced_env)
            print(
                f"paced at half our peak, {label}: target {target:.0f} req/s, {connections} connections x 1 "
                f"per {PACED_DELAY_MS} ms: {paced['rate']:.0f} req/s, p99 {paced['p99_ms']:.2f} ms, "
                f"non-2xx {paced['non_2xx']}"
            )
        print(f"load average after: {os.getloadavg()}")
    finally:
        for process in processes:
            _stop(process)
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
