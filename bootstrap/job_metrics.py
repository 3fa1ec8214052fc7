"""Periodic jobs' outcomes on `/metrics`: `nostr-id jobs run` is a one-shot process, so it records
each job's outcome in PostgreSQL, and every serving process reads them back every few seconds
and exposes them:

- `nostr_id_job_failures_total{job}`: runs of the job that failed (a record skipped counts);
- `nostr_id_job_last_success_timestamp_seconds{job}`: when it last went through (Unix time).
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from domain.shared.jobs import JobRun

log = logging.getLogger(__name__)

JOB_RUNS_REFRESH_INTERVAL = 15.0


class JobRunCollector(Collector):
    """Exposes the job outcomes last read from PostgreSQL."""

    def __init__(self) -> None:
        self.runs: list[JobRun] = []

    def collect(self) -> Iterator[Metric]:
        failures = CounterMetricFamily(
            "nostr_id_job_failures", "Runs of a periodic job that failed", labels=["job"]
        )
        last_success = GaugeMetricFamily(
            "nostr_id_job_last_success_timestamp_seconds",
            "When a periodic job last went through (Unix time)",
            labels=["job"],
        )
        for run in self.runs:
            failures.add_metric([run.job], run.failures)
            if run.last_success_at is not None:
                last_success.add_metric([run.job], run.last_success_at.timestamp())
        yield failures
        yield last_success


async def refresh_job_runs(
    collector: JobRunCollector,
    list_runs: Callable[[], Callable[[], Awaitable[list[JobRun]]]],
    *_lifecycles: object,
) -> AsyncIterator[JobRunCollector]:
    """Reads the outcomes at start and every JOB_RUNS_REFRESH_INTERVAL seconds while the app runs.

    `_lifecycles` are the database resources, passed so they start before and stop after this one.
    """

    stop = asyncio.Event()

    async def loop() -> None:
        failing = False
        while not stop.is_set():
            try:
                collector.runs = await list_runs()()
                failing = False
            except Exception as error:  # the last outcomes read stay exposed until the next read
                if not failing:
                    log.warning("job outcomes not read: %s", error)
                failing = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), JOB_RUNS_REFRESH_INTERVAL)

    # A read is let finish rather than cancelled: a query cancelled mid-flight can hold its
    # connection, and so the pool's closing, for a long time.
    task = asyncio.create_task(loop(), name="job-runs-refresher")
    try:
        yield collector
    finally:
        stop.set()
        await task
