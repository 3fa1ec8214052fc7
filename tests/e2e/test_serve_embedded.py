"""`nostr-id migrate` then `nostr-id serve` with nothing configured: the embedded defaults of `make run`."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import httpx
import pytest

from tests.support.serve import CLI, wait_ready
from tests.support.tcp_proxy import free_port

UNSET = ("DATABASE_URL", "REDIS_URL", "RELAY_URLS", "ENVIRONMENT", "JWT_SECRET", "SERVICE_NSEC")


@pytest.fixture
def bare_environment():
    # The embedded PostgreSQL runs initdb as an unprivileged user, who must traverse DATA_DIR's parents.
    # Every pytest run on the machine resets pytest's own temporary root to mode 0700, which took that
    # right away mid-start whenever another run began; so the data lives in a directory of its own.
    data_dir = Path(tempfile.mkdtemp(prefix="nostr-id-e2e-"))
    env = {key: value for key, value in os.environ.items() if key not in UNSET}
    env["DATA_DIR"] = str(data_dir / "data")
    yield env
    shutil.rmtree(data_dir, ignore_errors=True)


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
        response = wait_ready(f"http://127.0.0.1:{port}", serve)
        assert response.json()["checks"] == {"postgres": "ok", "cache": "ok", "relay": "ok", "schema": "ok"}
    finally:
        serve.terminate()
        _, stderr = serve.communicate(timeout=60)
    assert "database port played by postgres (embedded)" in stderr
    assert "cache port played by memory (in-process)" in stderr
    assert "relay port played by websocket pool to the embedded relay" in stderr


def test_serve_on_a_fresh_data_dir_migrates_the_embedded_database_and_serves_nostr_json(bare_environment):
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    serve = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)],
        env=bare_environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready = wait_ready(base_url, serve)
        names = httpx.get(f"{base_url}/.well-known/nostr.json", params={"name": "alice"}, timeout=10)
    finally:
        serve.terminate()
        _, stderr = serve.communicate(timeout=60)
    assert ready.json()["checks"]["schema"] == "ok"
    assert (names.status_code, names.json()) == (200, {"names": {}})
    assert "embedded database migrated: 0001_legacy_baseline" in stderr


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
