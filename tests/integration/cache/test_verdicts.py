"""Verdicts over each Cache adapter: the memory cache, and the real Redis shared by two "processes"
(two Verdicts with their own clients, as two processes have). The check interval runs on a fake
timer, so "within a second" is shown by moving that timer, not by sleeping."""

import asyncio

import msgspec
import pytest

from adapters.cache.redis_cache import RedisCache
from application.verdicts import Verdicts
from domain.shared.cache import CacheUnavailable
from tests.support.tcp_proxy import free_port

pytestmark = pytest.mark.integration


class Answer(msgspec.Struct, frozen=True):
    value: str


class Source:
    """The source of truth behind the verdicts, counting how often it is asked."""

    def __init__(self, value: str) -> None:
        self.value = value
        self.loads = 0

    async def load(self) -> Answer:
        self.loads += 1
        return Answer(self.value)


class Timer:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "redis"])
async def caches(request, redis_url, redis_namespace):
    """Two handles on one shared cache: the same memory cache, or two Redis clients."""
    if request.param == "memory":
        cache = request.getfixturevalue("memory_cache")
        yield cache, cache
        return
    first = RedisCache.from_url(redis_url, namespace=redis_namespace, socket_timeout=5.0)
    second = RedisCache.from_url(redis_url, namespace=redis_namespace, socket_timeout=5.0)
    yield first, second
    await first.close()
    await second.close()


@pytest.fixture
def timer():
    return Timer()


@pytest.fixture
def here_and_there(caches, timer):
    here = Verdicts(caches[0], timer=timer).namespace("thing", Answer, ttl=300)
    there = Verdicts(caches[1], timer=timer).namespace("thing", Answer, ttl=300)
    return here, there


async def test_an_answer_is_loaded_once_then_served_in_process_and_shared(here_and_there):
    here, there = here_and_there
    source = Source("v1")

    assert await here.get("k", source.load) == Answer("v1")
    assert await here.get("k", source.load) == Answer("v1")
    assert await there.get("k", source.load) == Answer("v1")
    assert await there.get("k", source.load) == Answer("v1")

    assert source.loads == 1


async def test_keys_and_namespaces_do_not_meet(caches, timer):
    verdicts = Verdicts(caches[0], timer=timer)
    things = verdicts.namespace("thing", Answer, ttl=300)
    others = verdicts.namespace("other", Answer, ttl=300)

    assert await things.get("k", Source("thing k").load) == Answer("thing k")
    assert await things.get("j", Source("thing j").load) == Answer("thing j")
    assert await others.get("k", Source("other k").load) == Answer("other k")
    assert verdicts.namespace("thing", Answer, ttl=300) is things
    with pytest.raises(ValueError):
        verdicts.namespace("thing", Source, ttl=300)


async def test_a_change_is_seen_at_once_here_and_within_the_check_interval_there(here_and_there, timer):
    here, there = here_and_there
    source = Source("v1")
    await here.get("k", source.load)
    await there.get("k", source.load)

    source.value = "v2"
    await here.invalidate("k")

    assert await here.get("k", source.load) == Answer("v2")
    timer.now += 0.5
    assert await there.get("k", source.load) == Answer("v2")
    assert source.loads == 2


async def test_without_a_change_the_check_interval_keeps_the_answers(here_and_there, timer):
    here, there = here_and_there
    source = Source("v1")
    await there.get("k", source.load)

    timer.now += 5
    await here.invalidate("unrelated")
    timer.now += 0.5
    source.value = "v2"

    # Every in-process answer is dropped when the namespace moved, but the shared one still holds.
    assert await there.get("k", source.load) == Answer("v1")
    assert source.loads == 1


async def test_an_answer_loaded_while_a_change_is_made_is_not_kept(here_and_there, timer):
    here, there = here_and_there
    source = Source("v1")

    async def load_across_a_change() -> Answer:
        answer = await source.load()  # read before the change commits
        source.value = "v2"
        await there.invalidate("k")
        return answer

    assert await here.get("k", load_across_a_change) == Answer("v1")

    # The shared copy stored by the slow load carries the old tag: the changer does not take it.
    assert await there.get("k", source.load) == Answer("v2")
    # The slow reader hears of the change at its next check, as every other process does.
    timer.now += 0.5
    assert await here.get("k", source.load) == Answer("v2")


async def test_changing_tells_before_and_after_the_change(here_and_there, timer):
    here, there = here_and_there
    source = Source("v1")
    await there.get("k", source.load)

    async with here.changing("k"):
        # Mid-change a reader may still load the old state; it must not be kept afterwards.
        assert await here.get("k", source.load) == Answer("v1")
        source.value = "v2"

    assert await here.get("k", source.load) == Answer("v2")
    timer.now += 0.5
    assert await there.get("k", source.load) == Answer("v2")


async def test_answers_expire_after_their_ttl(caches, timer):
    verdicts = Verdicts(caches[0], timer=timer)
    short = verdicts.namespace("short", Answer, ttl=30)
    source = Source("v1")
    await short.get("k", source.load)

    timer.now += 29
    await short.get("k", source.load)
    assert source.loads == 1
    timer.now += 1
    source.value = "v2"
    # In-process: expired; the shared copy expires by the cache's own clock (not moved here), so the
    # shared answer is served again, still without asking the source.
    assert await short.get("k", source.load) == Answer("v1")
    assert source.loads == 1


async def test_a_dead_cache_sends_every_read_to_the_source_and_refuses_changes(timer):
    dead = RedisCache.from_url(f"redis://127.0.0.1:{free_port()}/0", namespace="dead", socket_timeout=0.2)
    things = Verdicts(dead, timer=timer).namespace("thing", Answer, ttl=300)
    source = Source("v1")

    assert await things.get("k", source.load) == Answer("v1")
    assert await things.get("k", source.load) == Answer("v1")
    timer.now += 5
    assert await things.get("k", source.load) == Answer("v1")
    assert source.loads == 3

    with pytest.raises(CacheUnavailable):
        async with things.changing("k"):
            raise AssertionError("the change must not be made")
    await dead.close()


async def test_concurrent_readers_of_a_cold_key_all_get_the_answer(here_and_there):
    here, _ = here_and_there
    source = Source("v1")

    answers = await asyncio.gather(*(here.get("k", source.load) for _ in range(50)))

    assert set(answers) == {Answer("v1")}
    assert 1 <= source.loads <= 50
