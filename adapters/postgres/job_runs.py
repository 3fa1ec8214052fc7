"""Periodic jobs' outcomes in PostgreSQL."""

from datetime import datetime

from domain.shared.jobs import JobRun

from .transaction import PostgresTransaction

RECORD = """
INSERT INTO job_runs (job, last_success_at, failures)
VALUES (
    %(job)s,
    CASE WHEN %(succeeded)s THEN %(now)s::timestamptz END,
    CASE WHEN %(succeeded)s THEN 0 ELSE 1 END
)
ON CONFLICT (job) DO UPDATE SET
    last_success_at = CASE WHEN %(succeeded)s THEN %(now)s::timestamptz ELSE job_runs.last_success_at END,
    failures = job_runs.failures + CASE WHEN %(succeeded)s THEN 0 ELSE 1 END
"""
SELECT_ALL = "SELECT job, last_success_at, failures FROM job_runs ORDER BY job"


class PostgresJobRunRepository:
    def __init__(self, tx: PostgresTransaction) -> None:
        self._tx = tx

    async def record(self, job: str, succeeded: bool, now: datetime) -> None:
        await self._tx.execute(RECORD, {"job": job, "succeeded": succeeded, "now": now})

    async def list_all(self) -> list[JobRun]:
        rows = await self._tx.fetch_all(SELECT_ALL, {})
        return [
            JobRun(job=row["job"], last_success_at=row["last_success_at"], failures=int(row["failures"]))
            for row in rows
        ]
