"""Ready means ready: `nostr-id serve` on a database without this version's migrations says so at
start-up and in `/health/ready` (503 naming the missing migrations), answers nostr.json with 503,
never 500, and is ready once `nostr-id migrate` has run."""

import os
import subprocess
import time

import httpx
import pytest

from tests.support.serve import CLI, wait_ready
from tests.support.tcp_proxy import free_port


def _schema_check(base_url: str, process: subprocess.Popen[str], limit: float = 120.0) -> httpx.Response:
    """The first readiness answer of the started server (it answers 503 while not ready)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited with {process.returncode}")
        try:
            return httpx.get(f"{base_url}/health/ready", timeout=5)
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("serve never answered")


@pytest.mark.timeout(300)
def test_serve_on_an_unmigrated_database_is_not_ready_naming_the_missing_migrations_and_never_500s(
    make_empty_database, tmp_path
):
    dsn = make_empty_database()
    env = {**os.environ, "DATABASE_URL": dsn, "RELAY_URLS": "memory://", "DATA_DIR": str(tmp_path)}
    env.pop("REDIS_URL", None)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    serve = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready = _schema_check(base_url, serve)
        names = httpx.get(f"{base_url}/.well-known/nostr.json", params={"name": "alice"}, timeout=10)
        migrate = subprocess.run([*CLI, "migrate"], env=env, capture_output=True, text=True, timeout=180)
        assert migrate.returncode == 0, migrate.stderr
        after = wait_ready(base_url, serve)
    finally:
        serve.terminate()
        _, stderr = serve.communicate(timeout=60)

    assert ready.status_code == 503
    schema = ready.json()["checks"]["schema"]
    assert schema.startswith("missing: 0001_legacy_baseline, 0002_supplemental_tables")
    assert "0007_job_runs" in schema
    assert ready.json()["checks"]["postgres"] == "ok"
    assert names.status_code == 503
    assert names.headers["content-type"].startswith("application/problem+json")
    assert "Retry-After" in names.headers
    assert "relation" not in names.text
    assert after.json()["checks"]["schema"] == "ok"
    assert "the database is behind this version: missing migrations 0001_legacy_baseline" in stderr
    assert "run `nostr-id migrate`" in stderr
