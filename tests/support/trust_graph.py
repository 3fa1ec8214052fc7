"""A small social graph for the web pages' tests, published to the test server's relay.

The server's only trust seed is SEED (WOT_SEEDS in tests/e2e/web/conftest.py). Keys and the dates
of profiles and contact lists are fixed, so publishing twice changes nothing:

    seed -> alice, bob, carol       alice -> bob, carol, dave      bob -> alice, carol
    carol -> alice                  dave -> alice                  eve -> alice (nobody follows eve)

Everyone but eve has a year-old profile; alice has notes this month. Eve is a day old with no
profile and no follower in the web of trust: a likely bot.
"""

import asyncio
import hashlib
import time
from dataclasses import dataclass

from domain.nostr.event import Event
from domain.nostr.signing import public_key_of, sign_event
from tests.support.relay_client import publish_raw

DAY = 86400
# A fixed moment long enough ago for year-old accounts (2024-01-01T00:00:00Z).
LONG_AGO = 1_704_067_200


def _secret(name: str) -> str:
    return hashlib.sha256(f"nostr-id web tests: {name}".encode()).hexdigest()


@dataclass(frozen=True)
class Member:
    name: str

    @property
    def secret_key(self) -> str:
        return _secret(self.name)

    @property
    def pubkey(self) -> str:
        return public_key_of(self.secret_key)


SEED = Member("seed")
ALICE, BOB, CAROL, DAVE, EVE = (Member(name) for name in ("alice", "bob", "carol", "dave", "eve"))
FOLLOWS = {
    SEED: (ALICE, BOB, CAROL),
    ALICE: (BOB, CAROL, DAVE),
    BOB: (ALICE, CAROL),
    CAROL: (ALICE,),
    DAVE: (ALICE,),
    EVE: (ALICE,),
}
NOTES_OF_ALICE = 5


def graph_events(now: int) -> list[Event]:
    """The graph's events; only eve's and alice's notes depend on `now` (to the day)."""
    today = now - now % DAY
    events = []
    for member, followed in FOLLOWS.items():
        since = today - DAY if member is EVE else LONG_AGO
        events.append(
            sign_event(
                member.secret_key,
                kind=3,
                tags=[["p", other.pubkey] for other in followed],
                content="",
                created_at=since,
            )
        )
        if member is not EVE:
            profile = f'{{"name":"{member.name}"}}'
            events.append(sign_event(member.secret_key, kind=0, tags=[], content=profile, created_at=since))
    events += [
        sign_event(ALICE.secret_key, kind=1, tags=[], content=f"note {n}", created_at=today - n * DAY)
        for n in range(1, NOTES_OF_ALICE + 1)
    ]
    return events


def publish_trust_graph(relay_url: str) -> None:
    events = graph_events(int(time.time()))
    accepted = asyncio.run(publish_raw(relay_url, events))
    assert accepted == len(events)
