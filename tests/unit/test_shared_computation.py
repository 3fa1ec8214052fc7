import asyncio

import pytest

from adapters.cache.memory_cache import MemoryCache
from application.shared_computation import SharedComputation
from domain.shared.cache import CacheUnavailable


class Computation:
    """A computation that counts its runs and, when gated, waits until the test opens the gate."""

    def __init__(self, value: bytes = b"result", *, gated: bool = False, error: Exception | None = None):
        self.value = value
        self.error = error
        self.runs = 0
        self.started = asyncio.Event()
        self.gate = asyncio.Event()
        if not gated:
            self.gate.set()

    async def __call__(self) -> bytes:
        self.runs += 1
        self.started.set()
        await self.gate.wait()
        if self.error is not None:
            raise self.error
        return self.value


class SwitchableCache(MemoryCache):
    """A memory cache whose every call fails with CacheUnavailable while `down` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.down = False

    def _check(self) -> None:
        if self.down:
            raise CacheUnavailable("cache is down")

    async def get(self, key):
        self._check()
        return await super().get(key)

    async def set(self, key, value, ttl=None):
        self._check()
        await super().set(key, value, ttl)

    async def delete(self, key):
        self._check()
        return await super().delete(key)

    async def set_if_absent(self, key, value, ttl=None):
        self._check()
        return await super().set_if_absent(key, value, ttl)


async def until_started(compute: Computation, callers: list[asyncio.Task[bytes]]) -> None:
    """Waits until the computation runs, or until a caller finished without running it."""
    started = asyncio.create_task(compute.started.wait())
    await asyncio.wait([started, *callers], return_when=asyncio.FIRST_COMPLETED)
    started.cancel()


async def test_concurrent_callers_share_one_computation_and_the_value_is_cached():
    cache = MemoryCache()
    shared = SharedComputation(cache)
    compute = Computation(gated=True)

    callers = [asyncio.create_task(shared.get_or_compute("wot:a", 300, compute)) for _ in range(50)]
    await until_started(compute, callers)
    compute.gate.set()
    results = await asyncio.gather(*callers)

    assert results == [b"result"] * 50
    assert compute.runs == 1
    assert await cache.get("wot:a") == b"result"
    assert 0 < await cache.ttl("wot:a") <= 300
    assert await cache.get("wot:a:lock") is None


async def test_a_cached_value_is_returned_without_computing():
    cache = MemoryCache()
    await cache.set("wot:b", b"stored", 60)
    compute = Computation()

    assert await SharedComputation(cache).get_or_compute("wot:b", 300, compute) == b"stored"
    assert compute.runs == 0


async def test_different_keys_compute_separately():
    shared = SharedComputation(MemoryCache())
    first, second = Computation(b"one"), Computation(b"two")

    results = await asyncio.gather(
        shared.get_or_compute("k1", 10, first), shared.get_or_compute("k2", 10, second)
    )

    assert results == [b"one", b"two"]
    assert (first.runs, second.runs) == (1, 1)


async def test_a_value_stored_elsewhere_just_before_the_lock_is_taken_is_not_computed_again():
    class ValueLandsBeforeLock(MemoryCache):
        async def set_if_absent(self, key, value, ttl=None):
            await self.set("wot:race", b"from another process", 300)
            return await super().set_if_absent(key, value, ttl)

    compute = Computation()

    value = await SharedComputation(ValueLandsBeforeLock()).get_or_compute("wot:race", 300, compute)

    assert value == b"from another process"
    assert compute.runs == 0


async def test_two_processes_sharing_a_cache_compute_once():
    cache = MemoryCache()
    process_a = SharedComputation(cache, poll_interval=0.001)
    process_b = SharedComputation(cache, poll_interval=0.001)
    compute_a, compute_b = Computation(b"from-a", gated=True), Computation(b"from-b", gated=True)

    caller_a = asyncio.create_task(process_a.get_or_compute("wot:c", 300, compute_a))
    await until_started(compute_a, [caller_a])
    caller_b = asyncio.create_task(process_b.get_or_compute("wot:c", 300, compute_b))
    for _ in range(20):
        await asyncio.sleep(0.001)
    assert not caller_b.done()
    compute_a.gate.set()
    compute_b.gate.set()

    assert await asyncio.gather(caller_a, caller_b) == [b"from-a", b"from-a"]
    assert (compute_a.runs, compute_b.runs) == (1, 0)


async def test_a_failed_computation_reaches_every_caller_and_caches_nothing():
    cache = MemoryCache()
    shared = SharedComputation(cache)
    failing = Computation(gated=True, error=RuntimeError("relay exploded"))

    callers = [asyncio.create_task(shared.get_or_compute("wot:d", 300, failing)) for _ in range(10)]
    await until_started(failing, callers)
    failing.gate.set()
    outcomes = await asyncio.gather(*callers, return_exceptions=True)

    assert failing.runs == 1
    assert all(isinstance(outcome, RuntimeError) for outcome in outcomes)
    assert await cache.get("wot:d") is None
    assert await cache.get("wot:d:lock") is None
    retry = Computation(b"second try")
    assert await shared.get_or_compute("wot:d", 300, retry) == b"second try"
    assert retry.runs == 1


async def test_when_the_cache_is_down_the_value_is_still_computed_once_per_process():
    cache = SwitchableCache()
    cache.down = True
    shared = SharedComputation(cache)
    compute = Computation(gated=True)

    callers = [asyncio.create_task(shared.get_or_compute("wot:e", 300, compute)) for _ in range(20)]
    await until_started(compute, callers)
    compute.gate.set()

    assert await asyncio.gather(*callers) == [b"result"] * 20
    assert compute.runs == 1


async def test_the_value_is_returned_when_the_cache_fails_after_computing():
    cache = SwitchableCache()
    shared = SharedComputation(cache)

    async def compute_then_lose_cache() -> bytes:
        cache.down = True
        return b"fresh"

    assert await shared.get_or_compute("wot:f", 300, compute_then_lose_cache) == b"fresh"
    cache.down = False
    assert await cache.get("wot:f") is None


async def test_a_waiter_computes_itself_after_wait_timeout_when_the_lock_holder_never_answers():
    cache = MemoryCache()
    await cache.set("wot:g:lock", b"held by a process that died", 60)
    compute = Computation(b"computed here")

    value = await SharedComputation(cache, poll_interval=0.001).get_or_compute(
        "wot:g", 300, compute, wait_timeout=0.02
    )

    assert value == b"computed here"
    assert compute.runs == 1
    assert await cache.get("wot:g") == b"computed here"
    assert await cache.get("wot:g:lock") == b"held by a process that died"


async def test_a_waiter_takes_over_when_the_lock_is_released_without_a_value():
    cache = MemoryCache()
    await cache.set("wot:h:lock", b"other process", 60)
    compute = Computation(b"taken over", gated=True)
    waiter = asyncio.create_task(
        SharedComputation(cache, poll_interval=0.001).get_or_compute("wot:h", 300, compute, wait_timeout=5)
    )
    for _ in range(5):
        await asyncio.sleep(0.001)
    assert compute.runs == 0

    await cache.delete("wot:h:lock")
    await until_started(compute, [waiter])

    assert await cache.get("wot:h:lock") not in (None, b"other process")
    compute.gate.set()
    assert await waiter == b"taken over"
    assert compute.runs == 1
    assert await cache.get("wot:h:lock") is None


async def test_cancelling_one_caller_leaves_the_shared_computation_running():
    shared = SharedComputation(MemoryCache())
    compute = Computation(gated=True)
    first = asyncio.create_task(shared.get_or_compute("wot:i", 300, compute))
    second = asyncio.create_task(shared.get_or_compute("wot:i", 300, compute))
    await until_started(compute, [first, second])

    first.cancel()
    compute.gate.set()

    assert await second == b"result"
    assert first.cancelled()
    assert compute.runs == 1


async def test_w1_when_every_caller_has_gone_the_computation_is_cancelled_and_nothing_is_left():
    cache = MemoryCache()
    shared = SharedComputation(cache)
    compute = Computation(gated=True)
    before = asyncio.all_tasks()
    callers = [asyncio.create_task(shared.get_or_compute("wot:k", 300, compute)) for _ in range(2)]
    await until_started(compute, callers)
    assert len(asyncio.all_tasks() - before) == len(callers) + 1  # the callers and the computation

    for caller in callers:
        caller.cancel()
    await asyncio.wait(callers)

    # The computation stopped before the last caller returned.
    assert asyncio.all_tasks() - before == set()
    assert await cache.get("wot:k:lock") is None
    compute.gate.set()
    assert await shared.get_or_compute("wot:k", 300, Computation(b"again")) == b"again"


async def test_a_computation_that_returns_something_other_than_bytes_is_an_error():
    async def returns_text() -> bytes:
        return "text"  # type: ignore[return-value]

    with pytest.raises(TypeError, match="compute must return bytes"):
        await SharedComputation(MemoryCache()).get_or_compute("wot:j", 300, returns_text)


@pytest.mark.parametrize("ttl", [0, -1])
async def test_a_ttl_that_is_not_positive_is_rejected(ttl):
    with pytest.raises(ValueError, match="ttl"):
        await SharedComputation(MemoryCache()).get_or_compute("wot:k", ttl, Computation())


@pytest.mark.parametrize("option", [{"lock_ttl": 0}, {"poll_interval": 0}])
def test_settings_that_are_not_positive_are_rejected(option):
    with pytest.raises(ValueError):
        SharedComputation(MemoryCache(), **option)
