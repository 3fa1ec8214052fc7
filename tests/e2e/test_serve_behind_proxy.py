"""`nostr-id serve` behind a proxy (TRUSTED_PROXIES = loopback, where the test plays the proxy): the
client named by X-Forwarded-For is the one rate limits charge and the access log names."""

import json
import os
import subprocess

import httpx

from tests.support.serve import CLI, wait_ready
from tests.support.tcp_proxy import free_port


def test_r2_serve_charges_and_logs_the_client_a_trusted_proxy_forwards(postgres_dsn, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": postgres_dsn,
        "RELAY_URLS": "memory://",
        "DATA_DIR": str(tmp_path),
        "LOG_FORMAT": "json",
        "TRUSTED_PROXIES": "127.0.0.0/8, ::1",
        "RATE_LIMIT_ANONYMOUS": "2",
    }
    env.pop("REDIS_URL", None)
    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        serve = subprocess.Popen([*CLI, "serve", "--port", str(port)], env=env, stdout=log, stderr=log)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base_url, serve)
        with httpx.Client(base_url=base_url, timeout=10) as client:

            def status(forwarded_for: str) -> int:
                return client.get("/api/v1/plans", headers={"X-Forwarded-For": forwarded_for}).status_code

            first = [status(f"192.0.2.{n}, 198.51.100.1") for n in range(3)]
            other = status("198.51.100.2")
    finally:
        serve.terminate()
        serve.wait(timeout=30)

    assert first == [200, 200, 429]
    assert other == 200
    entries = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    clients = [
        e["client"]
        for e in entries
        if e.get("logger") == "nostr_id.access" and e.get("path") == "/api/v1/plans"
    ]
    assert clients == ["198.51.100.1"] * 3 + ["198.51.100.2"]
