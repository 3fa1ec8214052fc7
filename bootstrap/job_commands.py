"""`nostr-id jobs run`: the periodic jobs, run once each, in order (schedule it with cron or a timer).

Each job is a container provider whose use case answers how many records it changed. A job that
fails is reported and the others still run; the exit status is 1 when any failed.
"""

import logging
import sys

from bootstrap.container import Container
from domain.errors import DomainError

log = logging.getLogger("nostr_id.jobs")

# (what it does, container provider of its use case)
JOBS: list[tuple[str, str]] = [
    ("billing: expired unpaid invoices", "expire_unpaid_invoices"),
    ("billing: ended subscriptions", "end_subscriptions"),
    ("billing: names suspended after the grace period", "suspend_lapsed_names"),
]


async def run_jobs(container: Container) -> int:
    failed = 0
    for description, provider in JOBS:
        try:
            changed = await getattr(container, provider)()()
        except DomainError as error:
            print(f"{description}: failed: {error}", file=sys.stderr)
            failed += 1
            continue
        print(f"{description}: {changed}")
    return 1 if failed else 0
