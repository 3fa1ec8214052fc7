"""The signed events of a demo graph: a profile, a contact list and notes per account."""

from collections.abc import Iterator

import msgspec
import numpy as np

from application.demo.graph import DemoGraph
from domain.nostr.event import Event
from domain.nostr.signing import sign_event

_WORDS = [
    "nostr",
    "relay",
    "zap",
    "bitcoin",
    "lightning",
    "coffee",
    "morning",
    "build",
    "ship",
    "note",
    "thread",
    "photo",
    "garden",
    "code",
    "music",
    "walk",
    "rain",
    "sunny",
    "market",
    "node",
    "wallet",
    "freedom",
    "open",
    "protocol",
    "client",
    "key",
    "sats",
    "meetup",
    "podcast",
]


def account_events(graph: DemoGraph, index: int) -> Iterator[Event]:
    """Profile (when the account has one), contact list, then notes, all signed by the account."""
    rng = np.random.default_rng([graph.seed, index])
    key = graph.secret_keys[index]
    joined = int(graph.joined_at[index])
    bot = bool(graph.is_bot[index])
    if graph.has_profile[index]:
        name = f"deals{index}" if bot else f"user{index}"
        profile = {
            "name": name,
            "about": "Best offers, follow back!" if bot else f"Account {index} of the demo.",
        }
        yield sign_event(
            key, kind=0, tags=[], content=msgspec.json.encode(profile).decode(), created_at=joined + 60
        )
    updated = int(rng.integers(joined + 120, max(joined + 121, graph.now - 60)))
    tags = [["p", graph.pubkeys[int(followed)]] for followed in graph.follows[index]]
    yield sign_event(key, kind=3, tags=tags, content="", created_at=updated)
    for moment in np.sort(
        rng.integers(joined + 180, max(joined + 181, graph.now), size=int(graph.note_counts[index]))
    ):
        words = rng.choice(_WORDS, size=int(rng.integers(3, 12)))
        yield sign_event(key, kind=1, tags=[], content=" ".join(words), created_at=int(moment))


def graph_events(graph: DemoGraph, start: int = 0, stop: int | None = None) -> Iterator[Event]:
    """Every event of the accounts with index in [start, stop)."""
    for index in range(start, graph.size if stop is None else stop):
        yield from account_events(graph, index)
