import msgspec

from adapters.relay.memory_relay import MemoryRelay
from domain.nostr.event import Event, Filter
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event

ALICE = generate_secret_key()
BOB = generate_secret_key()


def note(
    secret: str, created_at: int, kind: int = 1, tags: list[list[str]] | None = None, content: str = ""
) -> Event:
    return sign_event(secret, kind=kind, tags=tags or [], content=content, created_at=created_at)


async def test_query_filters_and_deduplicates() -> None:
    first, second = note(ALICE, 1), note(BOB, 2, tags=[["p", public_key_of(ALICE)]])
    relay = MemoryRelay([first, second, first])
    assert await relay.query([Filter(authors=(public_key_of(ALICE),))]) == [first]
    assert await relay.query([Filter(tags={"p": (public_key_of(ALICE),)}), Filter(kinds=(1,))]) == [
        second,
        first,
    ]


async def test_publish_rejects_invalid_events() -> None:
    relay = MemoryRelay()
    good = note(ALICE, 1)
    tampered = msgspec.structs.replace(note(ALICE, 2), content="changed")
    assert await relay.publish([good, tampered]) == 1
    assert relay.rejected == 1
    assert await relay.query([Filter()]) == [good]


async def test_replaceable_events_replace_older_ones() -> None:
    relay = MemoryRelay()
    old, new = note(ALICE, 1, kind=3), note(ALICE, 2, kind=3)
    await relay.publish([new, old])
    assert await relay.query([Filter(kinds=(3,))]) == [new]
    latest = await relay.latest_replaceable([public_key_of(ALICE), public_key_of(BOB)], 3)
    assert latest == {public_key_of(ALICE): new}


async def test_addressable_events_keep_one_per_d_tag_and_ephemeral_are_not_stored() -> None:
    relay = MemoryRelay()
    await relay.publish(
        [
            note(ALICE, 1, kind=30382, tags=[["d", "x"]]),
            newest_x := note(ALICE, 2, kind=30382, tags=[["d", "x"]]),
            y := note(ALICE, 1, kind=30382, tags=[["d", "y"]]),
            note(ALICE, 1, kind=20001),
        ]
    )
    assert {e.id for e in await relay.query([Filter()])} == {newest_x.id, y.id}


async def test_count_counts_matches_of_any_filter_once() -> None:
    relay = MemoryRelay([note(ALICE, 1), note(ALICE, 2), note(BOB, 3)])
    assert await relay.count([Filter(authors=(public_key_of(ALICE),)), Filter(since=2)]) == 3
    assert await relay.count([Filter(kinds=(7,))]) == 0
