"""`nostr-id migrate` then `nostr-id serve` with nothing configured: the embedded defaults of `make run`."""

import os
import subprocess
import sys
import time

import httpx
import pytest

from tests.support.tcp_proxy import free_port

CLI = [sys.executable, "-m", "bootstrap.cli"]
UNSET = ("DATABASE_URL", "REDIS_URL", "RELAY_URLS", "ENVIRONMENT", "JWT_SECRET", "SERVICE_NSEC")


@pytest.fixture
def bare_environment(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in UNSET}
    env["DATA_DIR"] = str(tmp_path / "data")
    return env


def _wait_ready(base_url: str, process: subprocess.Popen, limit: float = 120.0) -> httpx.Response:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited with {process.returncode}")
        try:
            response = httpx.get(f"{base_url}/health/ready", timeout=2)
            if response.status_code == 200:
                return response
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise AssertionError("serve never became ready")


def test_make_run_answers_ready_with_only_embedded_defaults(bare_environment):
    migrate = subprocess.run(
        [*CLI, "migrate", "apply"], env=bare_environment, capture_output=True, text=True, timeout=180
    )
    assert migrate.returncode == 0, migrate.stderr
    assert "[x]" in migrate.stdout and "[ ]" not in migrate.stdout

    port = free_port()
    serve = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)],
        env=bare_environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        response = _wait_ready(f"http://127.0.0.1:{port}", serve)
        assert response.json()["checks"] == {"postgres": "ok", "cache": "ok", "relay": "ok"}
    finally:
        serve.terminate()
        _, stderr = serve.communicate(timeout=60)
    assert "database port played by postgres (embedded)" in stderr
    assert "cache port played by memory (in-process)" in stderr
    assert "relay port played by websocket pool to the embedded relay" in stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [("DATABASE_URL", "mysql://nowhere/db"), ("WOT_MAX_DEPTH", "many"), ("RELAY_URLS", "http://relay")],
)
def test_a_bad_setting_stops_start_up_naming_the_variable(bare_environment, name, value):
    result = subprocess.run(
        [*CLI, "serve", "--port", str(free_port())],
        env={**bare_environment, name: value},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert f"configuration error: {name}:" in result.stderr
    assert not (os.path.exists(os.path.join(bare_environment["DATA_DIR"], "postgres")))
