"""A small, hand-made follow graph with known answers, signed with deterministic keys."""

from datetime import UTC, datetime

from application.demo.graph import demo_secret_key
from domain.nostr.signing import public_key_of
from tests.unit.wot.fakes import contacts, note, profile

NOW = datetime(2025, 6, 1, tzinfo=UTC)
NOW_TS = int(NOW.timestamp())
DAY = 86400

NAMES = ("seed", "alice", "bob", "carol", "dave", "erin", "xavier", "nobody")
SECRET = {name: demo_secret_key(99, i) for i, name in enumerate(NAMES)}
PUB = {name: public_key_of(secret) for name, secret in SECRET.items()}

# seed -> alice, bob; alice -> carol; bob -> carol, dave; carol -> erin; xavier -> erin.
FOLLOWS = {
    "seed": ["alice", "bob"],
    "alice": ["carol"],
    "bob": ["carol", "dave"],
    "carol": ["erin"],
    "xavier": ["erin"],
}


def world_events() -> list:
    events = [
        contacts(SECRET[name], [PUB[f] for f in followed], NOW_TS - 10 * DAY)
        for name, followed in FOLLOWS.items()
    ]
    events += [profile(SECRET[name], NOW_TS - 400 * DAY) for name in ("seed", "bob", "carol")]
    # alice: profile updated 50 days ago, oldest note 100 days ago, six notes in the last 30 days.
    events.append(profile(SECRET["alice"], NOW_TS - 50 * DAY))
    events.append(note(SECRET["alice"], NOW_TS - 100 * DAY))
    events += [note(SECRET["alice"], NOW_TS - d * DAY - 3600) for d in range(6)]
    return events
