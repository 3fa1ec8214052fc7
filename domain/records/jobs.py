"""What `nostr-id jobs run` recorded of each periodic job: when it last succeeded, how often it failed."""

from datetime import datetime

from msgspec import Struct


class JobRun(Struct, frozen=True, kw_only=True):
    job: str
    last_success_at: datetime | None
    failures: int
