"""What the benchmark scripts share: free loopback ports, waiting for a server, and the smoke size.

Every script takes `--smoke`: a tiny size that runs each step once in seconds, so the suite
(tests/integration/test_benchmarks.py) notices when a documented command stops working. Smoke
figures mean nothing.
"""

import argparse
import socket
import subprocess
import time
from typing import Any

import httpx

SMOKE_HELP = "a tiny size that only checks the benchmark still runs (the test suite runs it)"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_ready(base_url: str, process: subprocess.Popen[Any], limit: float = 120.0) -> None:
    """Waits until the server answers /health/ready with 200; fails when it exits or never does."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            if httpx.get(f"{base_url}/health/ready", timeout=2).status_code == 200:
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
