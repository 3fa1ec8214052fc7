import asyncio

import pytest

from application.wot.author_reads import BatchedAuthorReads
from domain.nostr.ports import RelayUnavailable
from tests.unit.wot.fakes import ControllableRelay
from tests.unit.wot.world import PUB, world_events

KINDS = (0, 3)


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_reads_queued_behind_the_ones_in_flight_share_one_request() -> None:
    relay = ControllableRelay(world_events())
    reads = BatchedAuthorReads(relay, KINDS, max_in_flight=1)
    relay.mode = "slow"
    first = asyncio.create_task(reads.events_of(PUB["seed"]))
    await settle()
    rest = [asyncio.create_task(reads.events_of(PUB[name])) for name in ("alice", "bob", "carol", "alice")]
    await settle()
    assert relay.calls["query"] == 1

    relay.recover()
    answers = await asyncio.gather(first, *rest)

    assert relay.calls["query"] == 2
    for name, events in zip(("seed", "alice", "bob", "carol", "alice"), answers, strict=True):
        assert {event.kind for event in events} == {0, 3}
        assert {event.pubkey for event in events} == {PUB[name]}


async def test_when_every_caller_of_a_read_has_gone_it_is_cancelled_and_nothing_is_left() -> None:
    relay = ControllableRelay(world_events())
    reads = BatchedAuthorReads(relay, KINDS)
    relay.mode = "slow"
    before = asyncio.all_tasks()
    callers = [asyncio.create_task(reads.events_of(PUB[name])) for name in ("alice", "bob")]
    await settle()
    assert len(asyncio.all_tasks() - before) == len(callers) + 2  # the callers and two reads

    for caller in callers:
        caller.cancel()
    await asyncio.wait(callers)

    assert asyncio.all_tasks() - before == set()  # the reads went with their callers
    relay.recover()
    assert {event.kind for event in await reads.events_of(PUB["bob"])} == {0, 3}


async def test_a_failed_read_fails_each_of_its_callers() -> None:
    relay = ControllableRelay(world_events())
    relay.mode = "down"
    reads = BatchedAuthorReads(relay, KINDS)

    results = await asyncio.gather(
        reads.events_of(PUB["alice"]), reads.events_of(PUB["bob"]), return_exceptions=True
    )

    assert all(isinstance(result, RelayUnavailable) for result in results)
    with pytest.raises(RelayUnavailable):
        await reads.events_of(PUB["carol"])
