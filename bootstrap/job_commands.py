"""Which use cases `nostr-id jobs run` runs (the command itself is `adapters/cli/jobs.py`).

Custom domains' DNS records are re-checked; then the other jobs run (billing, API-key usage flushed
from the cache into PostgreSQL, expired sign-in challenges and LNURL sessions deleted), each a
container provider whose use case answers how many records it changed. Each outcome is recorded in
PostgreSQL (`RecordJobRun`), where the serving processes read it for `/metrics`. The command takes
a container whose database pool and cache are started.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from adapters.cli import jobs as cli_jobs
from adapters.cli.jobs import Job
from bootstrap.container import Container

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


def jobs_of(container: Container) -> list[Job]:
    name, description, use_case = DOMAIN_JOB
    jobs = [Job(name, description, use_case(container)(), _domain_counts)]
    return jobs + [Job(name, description, use_case(container)()) for name, description, use_case in JOBS]


async def run_jobs(container: Container) -> int:
    return await cli_jobs.run_jobs(jobs_of(container), container.record_job_run())
