"""`nostr-id jobs run`: the periodic work, run once (from cron or a systemd timer).

Custom domains' DNS records are re-checked; then the other jobs run (billing, API-key usage flushed
from the cache into PostgreSQL, expired sign-in challenges and LNURL sessions deleted), each a
container provider whose use case answers how many records it changed. Each job reports what it
did on one line; a job that fails is reported and the others still run; the exit status is 1 when
any failed. The command takes a container whose database pool and cache are started.
"""

import sys

from bootstrap.container import Container
from domain.errors import DependencyUnavailable, DomainError

# (what it does, container provider of its use case)
BILLING_JOBS: list[tuple[str, str]] = [
    ("billing: expired unpaid invoices", "expire_unpaid_invoices"),
    ("billing: ended subscriptions", "end_subscriptions"),
    ("billing: names suspended after the grace period", "suspend_lapsed_names"),
]
OTHER_JOBS: list[tuple[str, str]] = [
    ("api keys: uses flushed into usage", "flush_api_key_usage"),
    ("sign-in: expired challenges and LNURL sessions deleted", "delete_expired_sign_ins"),
    ("wot: NIP-85 assertions published for owners of active names", "publish_owners_assertions"),
]
JOBS = BILLING_JOBS + OTHER_JOBS


async def run_jobs(container: Container) -> int:
    failed = 0
    try:
        counts = await container.recheck_domains()()
    except DependencyUnavailable as error:
        print(f"nostr-id: domain re-check stopped: {error}", file=sys.stderr)
        failed += 1
    else:
        print("domains: " + ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in counts.items()))
    for description, provider in JOBS:
        try:
            changed = await getattr(container, provider)()()
        except DomainError as error:
            print(f"{description}: failed: {error}", file=sys.stderr)
            failed += 1
            continue
        print(f"{description}: {changed}")
    return 1 if failed else 0
