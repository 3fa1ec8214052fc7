"""Periodic jobs run record by record: one bad record is logged, counted and skipped, never stops
the others; and each run's outcome is recorded so the serving processes can expose it."""

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from domain.shared.clock import Clock
from domain.shared.errors import DependencyUnavailable
from domain.shared.jobs import JobRun
from domain.shared.unit_of_work import UowFactory

log = logging.getLogger(__name__)


class RecordsFailed(Exception):
    """Some records of a job failed (each was logged and skipped); the others were processed."""

    def __init__(self, kind: str, changed: int, failed: int) -> None:
        super().__init__(f"{failed} {kind} failed and were skipped ({changed} changed)")
        self.kind = kind
        self.changed = changed
        self.failed = failed


class EachAlone:
    """Runs the work on each record of a job so that one record's failure stays its own.

    Use `async with records.alone(record_id):` around the work on one record; an exception inside
    is logged with the record's id and counted, and the job goes on. A dependency that cannot
    answer (the database, the cache) is no fault of the record: it stops the job.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.failed = 0

    @asynccontextmanager
    async def alone(
        self, record_id: object, on_failure: Callable[[], Awaitable[None]] | None = None
    ) -> AsyncIterator[None]:
        """`on_failure` runs after a failure is logged (to mark the record as tried, say)."""
        try:
            yield
        except DependencyUnavailable:
            raise
        except Exception:
            self.failed += 1
            log.exception("%s: %s failed and was skipped", self.kind, record_id)
            if on_failure is not None:
                await on_failure()

    def settle(self, changed: int) -> int:
        """Returns `changed` when every record went through; raises RecordsFailed otherwise."""
        if self.failed:
            raise RecordsFailed(self.kind, changed, self.failed)
        return changed


class RecordJobRun:
    """Records that a job succeeded (its last success time) or failed (its failure count), in
    PostgreSQL, where every serving process reads it for `/metrics`."""

    def __init__(self, unit_of_work: UowFactory, clock: Clock) -> None:
        self._unit_of_work = unit_of_work
        self._clock = clock

    async def __call__(self, job: str, succeeded: bool) -> None:
        async with self._unit_of_work() as uow:
            await uow.job_runs.record(job, succeeded, self._clock.now())
            await uow.commit()


class ListJobRuns:
    """Every job's recorded outcome, for the serving processes' metrics."""

    def __init__(self, unit_of_work: UowFactory) -> None:
        self._unit_of_work = unit_of_work

    async def __call__(self) -> list[JobRun]:
        async with self._unit_of_work() as uow:
            return await uow.job_runs.list_all()
