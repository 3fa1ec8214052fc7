"""`nostr-id jobs run` against the run's PostgreSQL: each job reports what it changed."""

import os
import subprocess
import time

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bootstrap.job_commands import JOBS
from tests.support.serve import CLI, wait_ready
from tests.support.tcp_proxy import free_port


def test_jobs_run_reports_each_billing_job(postgres_dsn: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "DATABASE_URL": postgres_dsn, "RELAY_URLS": "memory://", "DATA_DIR": str(tmp_path)}
    env.pop("REDIS_URL", None)
    done = subprocess.run([*CLI, "jobs", "run"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    domains, *jobs = done.stdout.splitlines()
    assert domains.startswith("domains: ")
    assert [line.split(":")[0] for line in jobs] == ["billing"] * 3 + ["api keys", "sign-in"]
    assert all(line.rsplit(": ", 1)[1].isdigit() for line in jobs)


def test_t2_a_serving_process_shows_each_jobs_last_success_on_metrics(postgres_dsn: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "DATABASE_URL": postgres_dsn, "RELAY_URLS": "memory://", "DATA_DIR": str(tmp_path)}
    env.pop("REDIS_URL", None)
    before = time.time()
    done = subprocess.run([*CLI, "jobs", "run"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    port = free_port()
    serve = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_ready(f"http://127.0.0.1:{port}", serve)
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    finally:
        serve.terminate()
        serve.wait(timeout=60)
    last_success = {
        sample.labels["job"]: sample.value
        for family in text_string_to_metric_families(metrics)
        for sample in family.samples
        if sample.name == "nostr_id_job_last_success_timestamp_seconds"
    }
    assert set(last_success) >= {"recheck_domains", *(name for name, _ in JOBS)}
    assert all(value >= before - 1 for value in last_success.values())
    assert "nostr_id_job_failures_total{" in metrics
