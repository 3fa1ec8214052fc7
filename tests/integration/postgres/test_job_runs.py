"""Periodic jobs' outcomes, in PostgreSQL and in memory: last success time and failure count."""

from datetime import timedelta

import pytest

from domain.shared.jobs import JobRun
from tests.builders import NOW
from tests.integration.postgres.support import UowFactory

pytestmark = pytest.mark.integration


async def test_a_success_sets_the_last_success_time_and_a_failure_adds_one_failure(
    new_uow: UowFactory,
) -> None:
    later = NOW + timedelta(minutes=5)
    for job, succeeded, at in [
        ("end_subscriptions", False, NOW),
        ("expire_unpaid_invoices", True, NOW),
        ("end_subscriptions", False, NOW),
        ("expire_unpaid_invoices", False, later),
        ("end_subscriptions", True, later),
    ]:
        async with new_uow() as uow:
            await uow.job_runs.record(job, succeeded, at)
            await uow.commit()
    async with new_uow() as uow:
        await uow.job_runs.record("not_kept", True, NOW)

    async with new_uow() as uow:
        assert await uow.job_runs.list_all() == [
            JobRun(job="end_subscriptions", last_success_at=later, failures=2),
            JobRun(job="expire_unpaid_invoices", last_success_at=NOW, failures=1),
        ]
