"""`nostr-id jobs run`: the periodic work, run once (from cron or a systemd timer).

Custom domains' DNS records are re-checked; then the other jobs run (billing, API-key usage flushed
from the cache into PostgreSQL, expired sign-in challenges and LNURL sessions deleted), each a
container provider whose use case answers how many records it changed. Each job reports what it
did on one line; a job that fails is reported and the others still run; the exit status is 1 when
any failed. The command takes a container whose database pool and cache are started.
"""

import sys
from collections.abc import Awaitable, Callable

from bootstrap.container import Container
from domain.errors import DependencyUnavailable, DomainError

# (what it does, the use case's provider in its feature)
Job = Callable[[Container], Callable[[], Callable[[], Awaitable[int]]]]
BILLING_JOBS: list[tuple[str, Job]] = [
    ("billing: expired unpaid invoices", lambda c: c.billing.expire_unpaid_invoices),
    ("billing: ended subscriptions", lambda c: c.billing.end_subscriptions),
    ("billing: names suspended after the grace period", lambda c: c.billing.suspend_lapsed_names),
]
OTHER_JOBS: list[tuple[str, Job]] = [
    ("api keys: uses flushed into usage", lambda c: c.api_keys.flush_api_key_usage),
    ("sign-in: expired challenges and LNURL sessions deleted", lambda c: c.auth.delete_expired_sign_ins),
]
JOBS = BILLING_JOBS + OTHER_JOBS


async def run_jobs(container: Container) -> int:
    failed = 0
    try:
        counts = await container.names.recheck_domains()()
    except DependencyUnavailable as error:
        print(f"nostr-id: domain re-check stopped: {error}", file=sys.stderr)
        failed += 1
    else:
        print("domains: " + ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in counts.items()))
    for description, provider in JOBS:
        try:
            changed = await provider(container)()()
        except DomainError as error:
            print(f"{description}: failed: {error}", file=sys.stderr)
            failed += 1
            continue
        print(f"{description}: {changed}")
    return 1 if failed else 0
