"""Usage metering: each request made with an API key is counted in the cache, and the counts reach
ApiKeyUsage in batches, so no request writes to the database.

Counts accumulate in one counter group shared by every process. A flush claims the whole group in
one atomic step under a fresh batch id (new counts start a new group), adds the batch in one
transaction that also records the id, and only then releases the claim. A flush interrupted
before its commit leaves the claim in place and the next flush adds it; one interrupted after its
commit leaves a claim whose id is already recorded, which the next flush releases without adding
it again. What a killed process had counted is in the cache and is flushed by another.

Uses the cache cannot take (it is down or failing over) are held in the process (`HeldUsage`) and
added by the next flush straight to the database, which needs no cache. So what a cache restart
without persistence loses is bounded by what was counted in it since the last flush claimed the
group: at most one flush interval of usage (`USAGE_FLUSH_INTERVAL`, plus the time one flush takes).
"""

import logging
from collections import Counter
from datetime import date
from uuid import UUID, uuid4

from domain.api_keys.keys import MAX_ENDPOINT_LENGTH, ApiKeyUsage, status_class_of
from domain.shared.cache import Cache, CacheUnavailable
from domain.shared.clock import Clock
from domain.shared.unit_of_work import UowFactory

log = logging.getLogger(__name__)

PENDING_KEY = "usage:pending"
CLAIM_KEY = "usage:flushing"
# A flush adds at most this many batches, so counting that never pauses cannot keep it running.
MAX_BATCHES_PER_FLUSH = 100


def _field(api_key_id: UUID, day: date, status_class: str, endpoint: str) -> str:
    return f"{api_key_id}|{day.isoformat()}|{status_class}|{endpoint}"


def _usage(field: str, count: int) -> ApiKeyUsage | None:
    try:
        api_key_id, day, status_class, endpoint = field.split("|", 3)
        return ApiKeyUsage(
            api_key_id=UUID(api_key_id),
            day=date.fromisoformat(day),
            endpoint=endpoint,
            status_class=status_class,
            count=count,
        )
    except ValueError:
        log.error("usage counter %r is not a metering field; dropped", field)
        return None


class HeldUsage:
    """Uses counted in this process because the cache could not take them, until a flush adds them."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()

    def add(self, field: str) -> None:
        self._counts[field] += 1

    def take(self) -> Counter[str]:
        """Every held use; the holder is empty afterwards."""
        taken, self._counts = self._counts, Counter()
        return taken

    def give_back(self, counts: Counter[str]) -> None:
        """Uses taken by a flush that could not add them."""
        self._counts.update(counts)

    def __len__(self) -> int:
        return sum(self._counts.values())


class MeterApiKeyUse:
    """Counts one request made with an API key, by day, endpoint and status class: in the cache,
    or held in the process while the cache is unavailable."""

    def __init__(self, cache: Cache, clock: Clock, held: HeldUsage) -> None:
        self._cache = cache
        self._clock = clock
        self._held = held

    async def __call__(self, api_key_id: UUID, endpoint: str, status_code: int) -> None:
        day = self._clock.now().date()
        field = _field(api_key_id, day, status_class_of(status_code), endpoint[:MAX_ENDPOINT_LENGTH])
        try:
            await self._cache.increment_field(PENDING_KEY, field)
        except CacheUnavailable as error:
            self._held.add(field)
            log.warning(
                "usage of API key %s held in the process, the cache is unavailable: %s", api_key_id, error
            )


class FlushApiKeyUsage:
    """Moves the counted uses into ApiKeyUsage (first those held in this process, then the cache's
    group); returns how many uses it added. A cache that cannot answer does not stop the held uses
    from being added; it raises CacheUnavailable after them."""

    def __init__(self, cache: Cache, unit_of_work: UowFactory, clock: Clock, held: HeldUsage) -> None:
        self._cache = cache
        self._unit_of_work = unit_of_work
        self._clock = clock
        self._held = held

    async def __call__(self) -> int:
        added = await self._add_held()
        for _ in range(MAX_BATCHES_PER_FLUSH):
            claimed = await self._cache.claim_fields(PENDING_KEY, CLAIM_KEY, str(uuid4()))
            if claimed is None:
                break
            token, counts = claimed
            added += await self._add(UUID(token), counts)
            await self._cache.release_claim(CLAIM_KEY, token)
        return added

    async def _add_held(self) -> int:
        held = self._held.take()
        if not held:
            return 0
        try:
            return await self._add(uuid4(), held)
        except BaseException:
            self._held.give_back(held)
            raise

    async def _add(self, batch_id: UUID, counts: dict[str, int]) -> int:
        usages = [usage for field, count in counts.items() if (usage := _usage(field, count)) is not None]
        async with self._unit_of_work() as uow:
            fresh = await uow.api_key_usage.add_flush(batch_id, usages, self._clock.now())
            await uow.commit()
        return sum(usage.count for usage in usages) if fresh else 0
