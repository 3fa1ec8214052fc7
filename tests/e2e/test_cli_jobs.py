"""`nostr-id jobs run` against the run's PostgreSQL: each job reports what it changed, and the
records it was due to change are changed in PostgreSQL."""

import os
import subprocess
from datetime import UTC, datetime, timedelta

from bootstrap.container import Container
from bootstrap.settings import load_settings
from domain.records.auth import AuthChallenge
from domain.records.billing import (
    Currency,
    Payment,
    PaymentProviderName,
    PaymentStatus,
    Subscription,
    SubscriptionStatus,
)
from domain.records.lnurl import LnurlAction, LnurlSession
from tests import builders
from tests.support.app import started
from tests.support.serve import CLI


def _jobs_run(postgres_dsn: str, tmp_path) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    env = {**os.environ, "DATABASE_URL": postgres_dsn, "RELAY_URLS": "memory://", "DATA_DIR": str(tmp_path)}
    env.pop("REDIS_URL", None)
    return subprocess.run([*CLI, "jobs", "run"], env=env, capture_output=True, text=True, timeout=120)


def test_jobs_run_reports_each_billing_job(postgres_dsn: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    done = _jobs_run(postgres_dsn, tmp_path)
    assert done.returncode == 0, done.stderr
    domains, *jobs = done.stdout.splitlines()
    assert domains.startswith("domains: ")
    assert [line.split(":")[0] for line in jobs] == ["billing"] * 3 + ["api keys", "sign-in", "wot"]
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
    lnurl = LnurlSession.start(LnurlAction.LOGIN, now - timedelta(minutes=10), timedelta(minutes=5))
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
