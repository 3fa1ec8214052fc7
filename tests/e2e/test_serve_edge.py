"""`nostr-id serve --workers 2`: /metrics adds up every worker's counts, and LOG_FORMAT=json writes
one JSON object per line, the access line of each request carrying its request id."""

import json
import os
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.serve import CLI, wait_ready
from tests.support.tcp_proxy import free_port

ROUNDS = 40
PER_ROUND = 8


class LineCollector:
    """Reads a child's stderr line by line in a thread."""

    def __init__(self, stream) -> None:
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        for line in stream:
            with self._lock:
                self.lines.append(line.rstrip("\n"))

    def snapshot(self) -> list[str]:
        with self._lock:
            return list(self.lines)


def _access_entries(lines: list[str], path: str) -> list[dict]:
    entries = [json.loads(line) for line in lines if line.strip()]
    wanted = ("nostr_id.access", path)
    return [entry for entry in entries if (entry.get("logger"), entry.get("path")) == wanted]


def _tagged(lines: list[str]) -> list[dict]:
    entries = [json.loads(line) for line in lines if line.strip()]
    return [entry for entry in entries if entry.get("request_id") == "e2e-json-line"]


def _live(base_url: str) -> int:
    # A connection per request, so the workers share them out.
    with httpx.Client(base_url=base_url, timeout=10) as client:
        return client.get("/health/live").status_code


def _live_count(text: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = sample.labels
            if sample.name == "nostr_id_http_requests_total" and (
                labels.get("method"),
                labels.get("route"),
                labels.get("status"),
            ) == ("GET", "/health/live", "200"):
                return sample.value
    return 0.0


@pytest.mark.parametrize("directory", ["made by serve", "given"])
def test_metrics_total_across_two_workers_and_json_logs(postgres_dsn, redis_url, tmp_path, directory):
    env = {
        **os.environ,
        "DATABASE_URL": postgres_dsn,
        "REDIS_URL": redis_url,
        "RELAY_URLS": "memory://",
        "DATA_DIR": str(tmp_path),
        "LOG_FORMAT": "json",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    if directory == "given":
        metrics_dir = tmp_path / "metrics"
        metrics_dir.mkdir()
        # Left over from an earlier run: unreadable unless the directory is emptied at start.
        (metrics_dir / "counter_1.db").write_bytes(b"not a metrics file")
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    port = free_port()
    serve = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    collector = LineCollector(serve.stdout)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base_url, serve)
        sent = 0
        with ThreadPoolExecutor(PER_ROUND) as pool:
            for _ in range(ROUNDS):
                assert set(pool.map(_live, [base_url] * PER_ROUND)) == {200}
                sent += PER_ROUND
                pids = {entry["pid"] for entry in _access_entries(collector.snapshot(), "/health/live")}
                if len(pids) == 2:
                    break
        deadline = time.monotonic() + 30
        while len(_access_entries(collector.snapshot(), "/health/live")) < sent:
            assert time.monotonic() < deadline, "every request's access line is written"
            time.sleep(0.1)
        served_by = {entry["pid"] for entry in _access_entries(collector.snapshot(), "/health/live")}

        totals = []
        for _ in range(6):
            with httpx.Client(base_url=base_url, timeout=10) as client:
                totals.append(_live_count(client.get("/metrics").text))
        with httpx.Client(base_url=base_url, timeout=10) as client:
            client.get("/health/live", headers={"X-Request-ID": "e2e-json-line"})
        deadline = time.monotonic() + 30
        while not _tagged(collector.snapshot()) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        serve.terminate()
        serve.wait(timeout=30)

    assert len(served_by) == 2, "both workers answered"
    assert totals == [sent] * 6
    lines = [line for line in collector.snapshot() if line.strip()]
    entries = [json.loads(line) for line in lines]
    for entry in entries:
        assert isinstance(entry, dict) and {"time", "level", "logger", "message", "pid"} <= set(entry)
    tagged = _tagged(lines)
    assert [entry["logger"] for entry in tagged] == ["nostr_id.access"]
    assert tagged[0]["status"] == 200
