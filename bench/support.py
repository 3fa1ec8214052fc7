"""What the benchmark scripts share: free loopback ports, a relay process, waiting for a server, the
app served in process, and the smoke size.

Every script takes `--smoke`: a tiny size that runs each step once in seconds, so the suite
(tests/integration/test_benchmarks.py) notices when a documented command stops working. Smoke
figures mean nothing.
"""

import argparse
import inspect
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx

from adapters.http.app import create_app
from bootstrap.container import Container

SMOKE_HELP = "a tiny size that only checks the benchmark still runs (the test suite runs it)"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def granian_command(app_factory: str, port: int) -> list[str]:
    """The command that serves an ASGI app factory (`module:function`) with granian, one worker, on
    127.0.0.1:`port`, logging warnings only: how each benchmark serves its app over HTTP."""
    return [
        *(sys.executable, "-m", "granian", "--interface", "asgi", "--factory", "--workers", "1"),
        *("--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", app_factory),
    ]


def wait_ready(base_url: str, process: subprocess.Popen[Any], limit: float = 120.0) -> None:
    """Waits until the server answers /health/ready with 200 and every store answering; fails when it
    exits or never does."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            ready = httpx.get(f"{base_url}/health/ready", timeout=2)
            if ready.status_code == 200 and ready.json().get("status") == "ok":
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise SystemExit("the server never became ready")


def parse_args(parser: argparse.ArgumentParser, **smoke: Any) -> argparse.Namespace:
    """The parsed arguments; with `--smoke`, the sizes given here replace the parsed ones."""
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    args = parser.parse_args()
    if args.smoke:
        for name, value in smoke.items():
            setattr(args, name, value)
    return args


def start_relay(
    port: int | None = None, data_dir: str = "", extra: tuple[str, ...] = ()
) -> tuple[subprocess.Popen[str], str]:
    """Starts the embedded relay (`python -m bootstrap.embedded_relay`) in a child process, on `port` or
    a free one, on LMDB under `data_dir` (events in memory without one; LocalRelay then keeps only the
    newest 75,000), with `extra` arguments; the process and its websocket URL once it accepts
    connections. The caller stops it."""
    port = port or free_port()
    storage = ["--data-dir", data_dir] if data_dir else []
    process = subprocess.Popen(
        [sys.executable, "-m", "bootstrap.embedded_relay", "--port", str(port), *storage, *extra],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    if not process.stdout.readline().startswith("READY"):
        process.kill()
        process.wait(timeout=10)
        raise RuntimeError("the embedded relay did not start")
    return process, f"ws://127.0.0.1:{port}"


@contextmanager
def relay_process(data_dir: str = "") -> Iterator[str]:
    """The embedded relay in a child process on a free port while the block runs; its websocket URL."""
    process, url = start_relay(data_dir=data_dir)
    try:
        yield url
    finally:
        process.kill()
        process.wait(timeout=10)


@asynccontextmanager
async def serving(
    container: Container, base_url: str = "http://bench.local"
) -> AsyncIterator[httpx.AsyncClient]:
    """The app `nostr-id serve` builds, in this process, with its resources started."""
    started = container.init_resources()
    if inspect.isawaitable(started):
        await started
    try:
        transport = httpx.ASGITransport(app=create_app(container))
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client
    finally:
        stopped = container.shutdown_resources()
        if inspect.isawaitable(stopped):
            await stopped
