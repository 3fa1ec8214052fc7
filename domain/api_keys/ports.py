"""API key ports: the keys and their usage counters (see domain.shared.unit_of_work)."""

from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from domain.api_keys.keys import ApiKey, ApiKeyUsage


class ApiKeyRepository(Protocol):
    """API keys, looked up by the digest of the presented key or by their visible prefix."""

    async def add(self, api_key: ApiKey) -> None: ...

    async def get(self, api_key_id: UUID) -> ApiKey | None: ...

    async def get_by_hash(self, key_hash: str) -> ApiKey | None: ...

    async def list_by_prefix(self, prefix: str) -> list[ApiKey]:
        """Keys whose visible prefix is `prefix`, revoked ones included."""
        ...

    async def list_for_user(self, user_id: UUID) -> list[ApiKey]:
        """The user's keys, revoked ones included, newest first."""
        ...

    async def update(self, api_key: ApiKey) -> None:
        """Stores the record's new state; raises NotFound when it was never added."""
        ...


class ApiKeyUsageRepository(Protocol):
    """Request counters per key, day, endpoint and status class."""

    async def increment(
        self, api_key_id: UUID, day: date, endpoint: str, status_class: str, amount: int = 1
    ) -> int:
        """Adds to the counter (creating it at zero) and returns the new count; exact under
        concurrency."""
        ...

    async def list_for_key(self, api_key_id: UUID, first_day: date, last_day: date) -> list[ApiKeyUsage]:
        """Counters from first_day to last_day inclusive, by day, endpoint, status class."""
        ...

    async def add_flush(self, flush_id: UUID, usages: list[ApiKeyUsage], now: datetime) -> bool:
        """Adds a batch of counts once: records the batch id and adds each count to its counter.

        False (and nothing added) when a batch with this id was added before. Counts of keys that
        no longer exist are dropped. The keys counted are marked used at `now` (the flush time, a few
        seconds after the uses). Concurrent calls with one id: exactly one adds.
        """
        ...
