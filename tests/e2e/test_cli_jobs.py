"""`nostr-id jobs run` against the run's PostgreSQL: each job reports what it changed, and the
records it was due to change are changed in PostgreSQL."""

import os
import subprocess
import time
from datetime import UTC, datetime, timedelta

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bootstrap.container import Container
from bootstrap.job_commands import JOBS
from bootstrap.settings import load_settings
from domain.auth.challenges import AuthChallenge
from domain.auth.lnurl import LnurlAction, LnurlSession
from domain.billing.subscriptions import (
    Currency,
    Payment,
    PaymentProviderName,
    PaymentStatus,
    Subscription,
    SubscriptionStatus,
)
from tests import builders
from tests.support.app import started
from tests.support.serve import CLI, wait_ready
from tests.support.tcp_proxy import free_port


def _jobs_run(postgres_dsn: str, tmp_path) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    env = {**os.environ, "DATABASE_URL": postgres_dsn, "RELAY_URLS": "memory://", "DATA_DIR": str(tmp_path)}
    env.pop("REDIS_URL", None)
    return subprocess.run([*CLI, "jobs", "run"], env=env, capture_output=True, text=True, timeout=120)


def test_jobs_run_reports_each_billing_job(postgres_dsn: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    done = _jobs_run(postgres_dsn, tmp_path)
    assert done.returncode == 0, done.stderr
    domains, *jobs = done.stdout.splitlines()
    assert domains.startswith("domains: ")
    assert [line.split(":")[0] for line in jobs] == ["billing"] * 3 + [
        "api keys",
        "sign-in",
        "accounts",
        "billing",
        "wot",
    ]
    assert all(line.rsplit(": ", 1)[1].isdigit() for line in jobs)


async def test_t5_jobs_run_changes_the_records_that_are_due_in_postgresql(
    postgres_dsn: str, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    container = Container(settings=load_settings({"DATABASE_URL": postgres_dsn, "RELAY_URLS": "memory://"}))
    user = builders.user()
    ended = Subscription.order(user_id=user.id, plan_id="pro-monthly", now=now - timedelta(days=31))
    ended = ended.activate(now - timedelta(days=31), timedelta(days=30))
    unpaid = Payment.open(
        user_id=user.id,
        provider=PaymentProviderName.FAKE,
        provider_invoice_id=f"inv_{user.id.hex}",
        amount=21_000,
        currency=Currency.SAT,
        now=now - timedelta(hours=2),
        checkout_url=None,
        bolt11=None,
        expires_at=now - timedelta(hours=1),
    )
    challenge = AuthChallenge.issue(now - timedelta(minutes=10), timedelta(minutes=5))
    lnurl, _poll = LnurlSession.start(LnurlAction.LOGIN, now - timedelta(minutes=10), timedelta(minutes=5))
    async with started(container):
        async with container.unit_of_work() as uow:
            await uow.users.add(user)
            await uow.subscriptions.add(ended)
            await uow.payments.add(unpaid)
            await uow.auth_challenges.add(challenge)
            await uow.lnurl_sessions.add(lnurl)
            await uow.commit()

        done = _jobs_run(postgres_dsn, tmp_path)

        async with container.unit_of_work() as uow:
            subscription = await uow.subscriptions.get(ended.id)
            payment = await uow.payments.get(unpaid.id)
            lnurl_left = await uow.lnurl_sessions.get_by_k1(lnurl.k1)
            # Read as a sign-in would have while it was valid: gone only if the job deleted it.
            challenge_left = await uow.auth_challenges.consume(
                challenge.challenge, now - timedelta(minutes=9)
            )
    assert done.returncode == 0, done.stderr
    assert subscription is not None and subscription.status is SubscriptionStatus.EXPIRED
    assert payment is not None and payment.status is PaymentStatus.EXPIRED
    assert (lnurl_left, challenge_left) == (None, None)


def test_t2_a_serving_process_shows_each_jobs_last_success_on_metrics(postgres_dsn: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "DATABASE_URL": postgres_dsn, "RELAY_URLS": "memory://", "DATA_DIR": str(tmp_path)}
    env.pop("REDIS_URL", None)
    before = time.time()
    done = subprocess.run([*CLI, "jobs", "run"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    port = free_port()
    serve = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_ready(f"http://127.0.0.1:{port}", serve)
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    finally:
        serve.terminate()
        serve.wait(timeout=60)
    last_success = {
        sample.labels["job"]: sample.value
        for family in text_string_to_metric_families(metrics)
        for sample in family.samples
        if sample.name == "nostr_id_job_last_success_timestamp_seconds"
    }
    assert set(last_success) >= {"recheck_domains", *(name for name, *_ in JOBS)}
    assert all(value >= before - 1 for value in last_success.values())
    assert "nostr_id_job_failures_total{" in metrics
