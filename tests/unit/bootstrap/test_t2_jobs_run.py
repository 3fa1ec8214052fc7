"""`nostr-id jobs run` runs each job alone (T2): a job that raises, whatever it raises, is logged
with its name, reported on stderr and in the exit status, and the other jobs still run; its outcome
reaches every serving process's `/metrics`. The real container, over the memory unit of work."""

import asyncio
from pathlib import Path

import pytest
from dependency_injector import providers
from prometheus_client.parser import text_string_to_metric_families

from bootstrap.container import Container
from bootstrap.job_commands import JOBS, run_jobs
from tests.fakes.unit_of_work import MemoryStore
from tests.support.app import client_for, container_for_tests, settings_for_tests


async def broken_job() -> int:
    raise UnicodeEncodeError("ascii", "caf\u00e9", 3, 4, "ordinal not in range(128)")


def jobs_container(store: MemoryStore, tmp_path: Path) -> Container:
    return container_for_tests(settings_for_tests(tmp_path), store=store)


async def test_t2_a_job_raising_an_unexpected_error_does_not_stop_the_others(
    tmp_path, capsys, caplog
) -> None:  # type: ignore[no-untyped-def]
    container = jobs_container(MemoryStore(), tmp_path)
    container.billing.expire_unpaid_invoices.override(providers.Object(broken_job))

    status = await run_jobs(container)

    out, err = capsys.readouterr()
    assert status == 1
    assert "expire_unpaid_invoices failed: UnicodeEncodeError" in err
    assert err.splitlines()[-1] == "nostr-id: jobs failed: expire_unpaid_invoices"
    reported = [line.split(":")[0] for line in out.splitlines()]
    assert reported == ["domains", "billing", "billing", "api keys", "sign-in", "accounts", "billing", "wot"]
    assert [r.getMessage() for r in caplog.records if r.exc_info] == ["job expire_unpaid_invoices failed"]


async def test_t2_the_exit_status_is_0_only_when_every_job_went_through(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    container = jobs_container(MemoryStore(), tmp_path)
    assert await run_jobs(container) == 0
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 1 + len(JOBS)
    assert err == ""


@pytest.mark.timeout(30)
async def test_t2_the_metrics_of_a_serving_process_show_a_failed_job_and_the_others_last_success(
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    store = MemoryStore()
    jobs = jobs_container(store, tmp_path)
    jobs.billing.end_subscriptions.override(providers.Object(broken_job))
    assert await run_jobs(jobs) == 1
    assert await run_jobs(jobs) == 1
    serving = jobs_container(store, tmp_path / "serving")

    async with client_for(serving) as client:
        samples: dict[tuple[str, str], float] = {}

        async def read() -> None:
            while ("nostr_id_job_failures_total", "end_subscriptions") not in samples:
                metrics = await client.get("/metrics")
                samples.update(
                    ((sample.name, sample.labels.get("job", "")), sample.value)
                    for family in text_string_to_metric_families(metrics.text)
                    for sample in family.samples
                )
                await asyncio.sleep(0.01)

        async with asyncio.timeout(10):
            await read()

    assert samples[("nostr_id_job_failures_total", "end_subscriptions")] == 2
    assert samples[("nostr_id_job_failures_total", "expire_unpaid_invoices")] == 0
    frozen_at = serving.clock().now().timestamp()
    assert samples[("nostr_id_job_last_success_timestamp_seconds", "expire_unpaid_invoices")] == frozen_at
    assert ("nostr_id_job_last_success_timestamp_seconds", "end_subscriptions") not in samples
