"""Runs `nostr-id serve` as a child process and waits until it is ready."""

import subprocess
import sys
import time

import httpx

CLI = [sys.executable, "-m", "bootstrap.cli"]


def wait_ready(base_url: str, process: subprocess.Popen, limit: float = 120.0) -> httpx.Response:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited with {process.returncode}")
        try:
            response = httpx.get(f"{base_url}/health/ready", timeout=2)
            # Ready, and every shared store answering (a degraded process is ready but not yet whole).
            if response.status_code == 200 and response.json().get("status") == "ok":
                return response
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise AssertionError("serve never became ready")
