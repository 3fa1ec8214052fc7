"""`nostr-id jobs run`: the periodic work, run once (from cron or a systemd timer).

Today: re-checking the DNS records of custom domains. Each job reports what it did on one line.
The command takes a container whose database pool and cache are started.
"""

import sys

from bootstrap.container import Container
from domain.errors import DependencyUnavailable


async def run_jobs(container: Container) -> int:
    try:
        counts = await container.recheck_domains()()
    except DependencyUnavailable as error:
        print(f"nostr-id: domain re-check stopped: {error}", file=sys.stderr)
        return 1
    print("domains: " + ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in counts.items()))
    return 0
