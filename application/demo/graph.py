"""A deterministic synthetic social graph shaped like Nostr's.

- Follow counts are heavy-tailed (log-normal, capped so a contact list fits a relay's 64 KB event
  limit). Most follows are chosen by preferential attachment (an account is picked in proportion to
  `attractiveness` + its followers so far), so a few accounts gather many thousands of followers;
  the rest go to anyone at random (friends), so trust reaches beyond the famous.
- Accounts join over two years, older ones first; most have a profile; notes are spread between
  joining and now.
- A cluster of bot-like accounts joined in the last days: they follow each other and hundreds of
  popular accounts (near the event cap), rarely have a profile, and post far faster than people
  do. A few careless people follow one of them back.
- The seeds are the three most-followed people, who also follow the most-followed accounts, and
  post steadily (hundreds of notes), so their activity is well above zero.

The same (users, seed, now) always gives the same graph, keys and event ids.
"""

import hashlib

import msgspec
import numpy as np
import numpy.typing as npt

from domain.nostr.signing import public_key_of

DAY = 86400
TWO_YEARS = 730 * DAY
SEED_COUNT = 3
# Relays commonly cap an event at 64 KB (strfry and LocalRelay by default): about 880 follows.
MAX_FOLLOWS = 850
# secp256k1 group order: a secret key must be below it.
_CURVE_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

IntArray = npt.NDArray[np.int64]


class DemoShape(msgspec.Struct, frozen=True):
    """Knobs of the generator; the defaults give about 25 follows and 6 notes per person."""

    mean_follows: float = 25.0
    follows_sigma: float = 1.1
    attractiveness: int = 4
    friend_share: float = 0.3
    lurker_share: float = 0.05
    mean_notes: float = 6.0
    profile_share: float = 0.92
    bot_every: int = 1000
    bot_min_following: int = 780
    bot_max_following: int = 850
    bot_notes_per_day: tuple[int, int] = (60, 120)
    seed_notes: tuple[int, int] = (300, 900)


class DemoGraph(msgspec.Struct, frozen=True):
    """Who exists, whom they follow, and what they post. Index i is one account."""

    seed: int
    now: int
    secret_keys: list[str]
    pubkeys: list[str]
    follows: list[IntArray]
    joined_at: IntArray
    note_counts: IntArray
    has_profile: npt.NDArray[np.bool_]
    is_bot: npt.NDArray[np.bool_]
    seeds: list[int]

    @property
    def size(self) -> int:
        return len(self.pubkeys)

    def event_count(self, index: int) -> int:
        return 1 + int(self.has_profile[index]) + int(self.note_counts[index])

    def total_events(self) -> int:
        return self.size + int(self.has_profile.sum()) + int(self.note_counts.sum())


def demo_secret_key(seed: int, index: int) -> str:
    """A valid secp256k1 secret key derived from the seed and the account index."""
    counter = 0
    while True:
        digest = hashlib.sha256(f"nostr-id demo {seed} {index} {counter}".encode()).digest()
        if 0 < int.from_bytes(digest, "big") < _CURVE_ORDER:
            return digest.hex()
        counter += 1


def generate_demo_graph(users: int, seed: int, now: int, shape: DemoShape | None = None) -> DemoGraph:
    shape = shape or DemoShape()
    if users < SEED_COUNT + 2:
        raise ValueError(f"a demo graph needs at least {SEED_COUNT + 2} users, got {users}")
    rng = np.random.default_rng(seed)
    bots = max(3, users // shape.bot_every)
    people = users - bots
    follows = _people_follows(rng, people, shape)
    followers = np.bincount(np.concatenate([*follows, np.zeros(0, dtype=np.int64)]), minlength=users)
    popular = np.argsort(-followers[:people], kind="stable")
    seeds = [int(i) for i in popular[:SEED_COUNT]]
    curated = popular[: max(10, min(800, people // 10))]
    for seed_index in seeds:
        follows[seed_index] = _without(np.union1d(follows[seed_index], curated), seed_index)
    bot_ids = np.arange(people, users, dtype=np.int64)
    for bot in bot_ids:
        wanted = int(rng.integers(shape.bot_min_following, shape.bot_max_following + 1))
        hubs = popular[: max(0, min(people, wanted) - len(bot_ids))]
        follows.append(_without(np.union1d(bot_ids, hubs), int(bot)))
    for person in rng.choice(people, size=max(1, bots // 2), replace=False):
        if int(person) not in seeds:
            follows[int(person)] = np.union1d(follows[int(person)], rng.choice(bot_ids, size=1))
    follows = [followed[:MAX_FOLLOWS] for followed in follows]
    joined_at = np.concatenate(
        [
            now - TWO_YEARS + (np.arange(people) * (TWO_YEARS - 10 * DAY)) // max(1, people),
            now - rng.integers(1 * DAY, 3 * DAY, size=bots),
        ]
    ).astype(np.int64)
    human_notes = np.floor(rng.lognormal(np.log(shape.mean_notes) - 0.5, 1.0, size=people)).astype(np.int64)
    bot_days = (now - joined_at[people:]) / DAY
    bot_notes = (rng.integers(*shape.bot_notes_per_day, size=bots, endpoint=True) * bot_days).astype(np.int64)
    secret_keys = [demo_secret_key(seed, i) for i in range(users)]
    has_profile = np.concatenate([rng.random(people) < shape.profile_share, rng.random(bots) < 0.1])
    human_notes[seeds] = rng.integers(*shape.seed_notes, size=len(seeds), endpoint=True)
    return DemoGraph(
        seed=seed,
        now=now,
        secret_keys=secret_keys,
        pubkeys=[public_key_of(key) for key in secret_keys],
        follows=follows,
        joined_at=joined_at,
        note_counts=np.minimum(np.concatenate([human_notes, bot_notes]), 2000),
        has_profile=has_profile,
        is_bot=np.concatenate([np.zeros(people, dtype=bool), np.ones(bots, dtype=bool)]),
        seeds=seeds,
    )


def _people_follows(rng: np.random.Generator, people: int, shape: DemoShape) -> list[IntArray]:
    wanted = np.floor(
        rng.lognormal(
            np.log(shape.mean_follows) - shape.follows_sigma**2 / 2, shape.follows_sigma, size=people
        )
    ).astype(np.int64)
    wanted[rng.random(people) < shape.lurker_share] = 0
    wanted = np.minimum(wanted, MAX_FOLLOWS)
    # Preferential attachment (Price's model): people arrive in index order and pick among those
    # already there in proportion to `attractiveness` + popular picks so far; each pick lands in the
    # pool. A share of follows (friends) goes to anyone uniformly and stays out of the pool, so trust
    # reaches beyond the famous without flattening the tail.
    copies = shape.attractiveness
    pool = np.empty(people * copies + int(wanted.sum()), dtype=np.int64)
    filled = 0
    follows: list[IntArray] = []
    for person in range(people):
        count = int(wanted[person])
        popular_count = min(int(rng.binomial(count, 1 - shape.friend_share)), person)
        popular = np.unique(pool[rng.integers(0, max(1, filled), size=popular_count)])
        friends = rng.integers(0, people, size=count - popular_count)
        follows.append(_without(np.union1d(popular, friends), person))
        pool[filled : filled + len(popular)] = popular
        pool[filled + len(popular) : filled + len(popular) + copies] = person
        filled += len(popular) + copies
    return follows


def _without(values: IntArray, excluded: int) -> IntArray:
    kept: IntArray = values[values != excluded]
    return kept
