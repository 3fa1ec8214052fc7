"""Publishing the demo graph to the relays."""

from collections.abc import Callable

import msgspec
import numpy as np

from application.demo.events import graph_events
from application.demo.graph import DemoGraph, DemoShape, generate_demo_graph
from domain.nostr.event import Event
from domain.nostr.ports import RelayPort
from domain.shared.clock import Clock
from domain.shared.errors import InvalidInput

MAX_USERS = 1_000_000
PUBLISH_BATCH = 500

Progress = Callable[[int, int], None]


class DemoSeeded(msgspec.Struct, frozen=True):
    """What was published: the demo's trust seeds (hex), how many events the relays accepted, and
    two more pubkeys worth scoring: an ordinary account and a likely bot."""

    seeds: list[str]
    users: int
    seed: int
    events_total: int
    events_accepted: int
    ordinary: str
    bot: str


class SeedDemoGraph:
    """Generates the deterministic demo graph for (users, seed) and publishes it through the relay.

    `progress(done, total)` is called after every batch of events. The clock fixes "now", so notes
    spread over the two years before the call.
    """

    def __init__(self, relay: RelayPort, clock: Clock, shape: DemoShape | None = None) -> None:
        self._relay = relay
        self._clock = clock
        self._shape = shape

    async def __call__(self, users: int, seed: int, progress: Progress | None = None) -> DemoSeeded:
        if not 5 <= users <= MAX_USERS:
            raise InvalidInput(f"users must be between 5 and {MAX_USERS}", {"users": str(users)})
        graph = generate_demo_graph(users, seed, int(self._clock.now().timestamp()), self._shape)
        accepted = await publish_graph(self._relay, graph, progress)
        return DemoSeeded(
            seeds=[graph.pubkeys[i] for i in graph.seeds],
            users=users,
            seed=seed,
            events_total=graph.total_events(),
            events_accepted=accepted,
            ordinary=graph.pubkeys[ordinary_account(graph)],
            bot=graph.pubkeys[int(np.flatnonzero(graph.is_bot)[0])],
        )


def ordinary_account(graph: DemoGraph) -> int:
    """A person from the middle of the graph with a profile and a contact list, not a seed."""
    people = [index for index in range(graph.size) if not graph.is_bot[index] and index not in graph.seeds]
    for index in [*people[len(people) // 2 :], *people[: len(people) // 2]]:
        if graph.has_profile[index] and len(graph.follows[index]) > 0:
            return index
    return people[len(people) // 2]


async def publish_graph(relay: RelayPort, graph: DemoGraph, progress: Progress | None = None) -> int:
    """Publishes every event of the graph in batches; returns how many the relays accepted."""
    total = graph.total_events()
    done = accepted = 0
    batch: list[Event] = []
    for event in graph_events(graph):
        batch.append(event)
        if len(batch) == PUBLISH_BATCH:
            accepted += await relay.publish(batch)
            done += len(batch)
            batch = []
            if progress is not None:
                progress(done, total)
    if batch:
        accepted += await relay.publish(batch)
        done += len(batch)
    if progress is not None:
        progress(done, total)
    return accepted
