"""Periodic jobs' outcomes, in PostgreSQL and in memory: last success time and failure count."""

import secrets
from datetime import timedelta

import pytest

from domain.shared.jobs import JobRun
from tests.builders import NOW
from tests.integration.postgres.support import UowFactory

pytestmark = pytest.mark.integration


async def test_a_success_sets_the_last_success_time_and_a_failure_adds_one_failure(
    new_uow: UowFactory,
) -> None:
    # Job names of this test only: the run's database also holds what `jobs run` tests recorded.
    ours = f"test-{secrets.token_hex(3)}-"
    later = NOW + timedelta(minutes=5)
    for job, succeeded, at in [
        ("end_subscriptions", False, NOW),
        ("expire_unpaid_invoices", True, NOW),
        ("end_subscriptions", False, NOW),
        ("expire_unpaid_invoices", False, later),
        ("end_subscriptions", True, later),
    ]:
        async with new_uow() as uow:
            await uow.job_runs.record(ours + job, succeeded, at)
            await uow.commit()
    async with new_uow() as uow:
        await uow.job_runs.record(ours + "not_kept", True, NOW)

    async with new_uow() as uow:
        recorded = [run for run in await uow.job_runs.list_all() if run.job.startswith(ours)]
    assert recorded == [
        JobRun(job=ours + "end_subscriptions", last_success_at=later, failures=2),
        JobRun(job=ours + "expire_unpaid_invoices", last_success_at=NOW, failures=1),
    ]
