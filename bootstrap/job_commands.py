"""`nostr-id jobs run`: the periodic work, run once (from cron or a systemd timer).

Custom domains' DNS records are re-checked; then the other jobs run (billing, API-key usage flushed
from the cache into PostgreSQL, expired sign-in challenges and LNURL sessions deleted), each a
container provider whose use case answers how many records it changed. Each job reports what it
did on one line. Each job runs alone (T2): whatever it raises is logged with its name and reported
on stderr, and the others still run; the exit status is 1 when any failed. Each outcome is recorded
in PostgreSQL (`RecordJobRun`), where the serving processes read it for `/metrics`. The command
takes a container whose database pool and cache are started.
"""

import logging
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from application.jobs import RecordsFailed
from bootstrap.container import Container

log = logging.getLogger("nostr_id.jobs")

# The use case of a job, found in its feature's container.
UseCase = Callable[[Container], Callable[[], Callable[[], Awaitable[Any]]]]
# (job name: its metric label, what it does, its use case)
DOMAIN_JOB: tuple[str, str, UseCase] = ("recheck_domains", "domains", lambda c: c.names.recheck_domains)
BILLING_JOBS: list[tuple[str, str, UseCase]] = [
    (
        "expire_unpaid_invoices",
        "billing: expired unpaid invoices",
        lambda c: c.billing.expire_unpaid_invoices,
    ),
    ("end_subscriptions", "billing: ended subscriptions", lambda c: c.billing.end_subscriptions),
    (
        "suspend_lapsed_names",
        "billing: names suspended after the grace period",
        lambda c: c.billing.suspend_lapsed_names,
    ),
]
OTHER_JOBS: list[tuple[str, str, UseCase]] = [
    ("flush_api_key_usage", "api keys: uses flushed into usage", lambda c: c.api_keys.flush_api_key_usage),
    (
        "delete_expired_sign_ins",
        "sign-in: expired challenges and LNURL sessions deleted",
        lambda c: c.auth.delete_expired_sign_ins,
    ),
    (
        "complete_key_recoveries",
        "accounts: key recoveries completed",
        lambda c: c.key_rotation.complete_key_recoveries,
    ),
    (
        "send_renewal_reminders",
        "billing: renewal reminders sent",
        lambda c: c.reminders.send_renewal_reminders,
    ),
    (
        "publish_owners_assertions",
        "wot: NIP-85 assertions published for owners of active names",
        lambda c: c.wot.publish_owners_assertions,
    ),
]
JOBS = BILLING_JOBS + OTHER_JOBS


def _domain_counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in counts.items())


async def run_jobs(container: Container) -> int:
    failed: list[str] = []
    jobs: list[tuple[str, str, UseCase, Callable[[Any], str]]] = [(*DOMAIN_JOB, _domain_counts)]
    jobs += [(name, description, use_case, str) for name, description, use_case in JOBS]
    for name, description, use_case, report in jobs:
        if not await _run_one(container, name, description, use_case, report):
            failed.append(name)
    if failed:
        print(f"nostr-id: jobs failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


async def _run_one(
    container: Container, name: str, description: str, use_case: UseCase, report: Callable[[Any], str]
) -> bool:
    """Runs one job, alone: True when it went through; any exception is its failure only."""
    job: Callable[[], Awaitable[object]] = use_case(container)()
    succeeded = False
    try:
        result = await job()
    except RecordsFailed as error:
        log.error("job %s: %s", name, error)
        print(f"{description}: {error.changed}", flush=True)
        print(f"nostr-id: job {name} failed: {error}", file=sys.stderr)
    except Exception as error:  # a job's failure, whatever it is, must not stop the others
        log.exception("job %s failed", name)
        print(f"nostr-id: job {name} failed: {type(error).__name__}: {error}", file=sys.stderr)
    else:
        print(f"{description}: {report(result)}", flush=True)
        succeeded = True
    await _record(container, name, succeeded)
    return succeeded


async def _record(container: Container, name: str, succeeded: bool) -> None:
    try:
        await container.record_job_run()(name, succeeded)
    except Exception:  # the outcome is already on stderr and in the exit status
        log.exception("job %s: its outcome could not be recorded", name)
