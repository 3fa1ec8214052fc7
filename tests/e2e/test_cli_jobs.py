"""`nostr-id jobs run` against the run's PostgreSQL: each job reports what it changed."""

import os
import subprocess

from tests.support.serve import CLI


def test_jobs_run_reports_each_billing_job(postgres_dsn: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "DATABASE_URL": postgres_dsn, "RELAY_URLS": "memory://", "DATA_DIR": str(tmp_path)}
    env.pop("REDIS_URL", None)
    done = subprocess.run([*CLI, "jobs", "run"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    domains, *jobs = done.stdout.splitlines()
    assert domains.startswith("domains: ")
    assert [line.split(":")[0] for line in jobs] == ["billing"] * 3 + ["api keys", "sign-in"]
    assert all(line.rsplit(": ", 1)[1].isdigit() for line in jobs)
