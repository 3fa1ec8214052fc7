"""`nostr-id serve` drains on SIGTERM: readiness answers 503 "draining" while other requests are still
answered, a request in flight when the server stops is finished, the API key use counted in Redis
is flushed to PostgreSQL, and the process exits 0."""

import os
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import psycopg
import pytest

from client import NostrIdClient
from tests.support.redis_server import RedisServer
from tests.support.serve import CLI, wait_ready
from tests.support.tcp_proxy import free_port

DRAIN_SECONDS = 3
KEYED_REQUESTS = 7
PUBKEY = "a" * 64
BATCH = f'{{"pubkeys": ["{PUBKEY}"]}}'.encode()
USAGE_OF_KEY = "SELECT coalesce(sum(count), 0) FROM api_key_usage WHERE api_key_id = %(id)s"


def _log_says(path: Path, text: str, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while text not in path.read_text():
        assert time.monotonic() < deadline, f"the serve log never said {text!r}"
        time.sleep(0.05)


def _slow_request_start(port: int) -> socket.socket:
    """A keyless batch request whose body is sent all but its last byte: in flight until finished."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = (
        "POST /api/v1/wot/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(BATCH)}\r\nConnection: close\r\n\r\n"
    ).encode()
    connection.sendall(head + BATCH[:-1])
    return connection


def _slow_request_finish(connection: socket.socket) -> bytes:
    connection.sendall(BATCH[-1:])
    answer = b""
    while chunk := connection.recv(65536):
        answer += chunk
    connection.close()
    return answer


@pytest.mark.timeout(90)
def test_sigterm_drains_then_finishes_in_flight_requests_flushes_usage_and_exits_0(
    postgres_dsn: str, tmp_path: Path
) -> None:
    redis = RedisServer().start()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": postgres_dsn,
        "REDIS_URL": redis.url,
        "RELAY_URLS": "memory://",
        "DATA_DIR": str(tmp_path),
        "PUBLIC_URL": base_url,
        "DRAIN_SECONDS": str(DRAIN_SECONDS),
        # Only the flush at shutdown moves the counted use to PostgreSQL.
        "USAGE_FLUSH_INTERVAL": "3600",
        "RATE_LIMIT_SIGN_IN": "1000",
    }
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        serve = subprocess.Popen([*CLI, "serve", "--port", str(port)], env=env, stdout=log, stderr=log)
    try:
        wait_ready(base_url, serve)
        owner = NostrIdClient(base_url).with_bearer(
            NostrIdClient(base_url).sign_in_with_nostr(secrets.token_hex(32)).access_token
        )
        created = owner.create_api_key("drain", ["wot:read"])
        with httpx.Client(base_url=base_url, timeout=30) as client:
            keyed = [
                client.get(f"/api/v1/wot/{PUBKEY}", headers={"X-API-Key": created.key}).status_code
                for _ in range(KEYED_REQUESTS)
            ]
            in_flight = _slow_request_start(port)

            serve.send_signal(signal.SIGTERM)
            readiness = client.get("/health/ready")
            while readiness.status_code == 200:
                readiness = client.get("/health/ready")
            during_drain = [client.get("/api/v1/plans").status_code for _ in range(5)]
            still_running = serve.poll() is None

        _log_says(log_path, "Shutting down granian")
        answer = _slow_request_finish(in_flight)
        exit_code = serve.wait(timeout=60)
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait(timeout=10)
        redis.stop()

    assert readiness.status_code == 503
    assert readiness.json() == {"status": "draining", "checks": {"drain": "draining"}}
    assert during_drain == [200] * 5 and still_running
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert exit_code == 0
    with psycopg.connect(postgres_dsn) as conn:
        row = conn.execute(USAGE_OF_KEY, {"id": created.id}).fetchone()
    assert row is not None and row[0] == len(keyed)
