"""`nostr-id jobs run`: the periodic work, run once (from cron or a systemd timer).

Each job reports what it did on one line. Each job runs alone (T2): whatever it raises is logged
with its name and reported on stderr, and the others still run; the exit status is 1 when any
failed. Each outcome is handed to `record` (the serving processes read the outcomes for `/metrics`).
"""

import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from application.jobs import RecordsFailed

log = logging.getLogger("nostr_id.jobs")


@dataclass(frozen=True)
class Job:
    """A job: its name (the metric label), what it does, its use case, and how its result reads."""

    name: str
    description: str
    run: Callable[[], Awaitable[Any]]
    report: Callable[[Any], str] = str


async def run_jobs(jobs: Sequence[Job], record: Callable[[str, bool], Awaitable[None]]) -> int:
    failed = [job.name for job in jobs if not await _run_one(job, record)]
    if failed:
        print(f"nostr-id: jobs failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


async def _run_one(job: Job, record: Callable[[str, bool], Awaitable[None]]) -> bool:
    """Runs one job, alone: True when it went through; any exception is its failure only."""
    succeeded = False
    try:
        result = await job.run()
    except RecordsFailed as error:
        log.error("job %s: %s", job.name, error)
        print(f"{job.description}: {error.changed}", flush=True)
        print(f"nostr-id: job {job.name} failed: {error}", file=sys.stderr)
    except Exception as error:  # a job's failure, whatever it is, must not stop the others
        log.exception("job %s failed", job.name)
        print(f"nostr-id: job {job.name} failed: {type(error).__name__}: {error}", file=sys.stderr)
    else:
        print(f"{job.description}: {job.report(result)}", flush=True)
        succeeded = True
    try:
        await record(job.name, succeeded)
    except Exception:  # the outcome is already on stderr and in the exit status
        log.exception("job %s: its outcome could not be recorded", job.name)
    return succeeded
