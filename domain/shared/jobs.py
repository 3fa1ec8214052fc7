"""What `nostr-id jobs run` recorded of each periodic job: when it last succeeded, how often it failed."""

from datetime import datetime
from typing import Protocol

from msgspec import Struct


class JobRun(Struct, frozen=True, kw_only=True):
    job: str
    last_success_at: datetime | None
    failures: int


class JobRunRepository(Protocol):
    """Each periodic job's outcome: when it last succeeded and how many of its runs failed."""

    async def record(self, job: str, succeeded: bool, now: datetime) -> None:
        """Sets the job's last success to `now`, or adds one to its failures."""
        ...

    async def list_all(self) -> list[JobRun]:
        """Every job recorded so far, by name."""
        ...
