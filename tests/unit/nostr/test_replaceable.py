import pytest

from domain.nostr.event import Event
from domain.nostr.replaceable import address_of, is_replaceable, latest_per_author, supersedes


def event(
    id_: str, created_at: int, pubkey: str = "1" * 64, kind: int = 3, tags: list[list[str]] | None = None
) -> Event:
    return Event(id_ * 64, pubkey, created_at, kind, tags or [], "", "0" * 128)


@pytest.mark.parametrize(
    "kind, expected",
    [
        (0, True),
        (3, True),
        (10000, True),
        (19999, True),
        (1, False),
        (2, False),
        (9999, False),
        (20000, False),
    ],
)
def test_replaceable_kinds(kind: int, expected: bool) -> None:
    assert is_replaceable(kind) is expected


def test_newer_wins_and_lowest_id_breaks_ties() -> None:
    assert supersedes(event("b", 2), event("a", 1))
    assert not supersedes(event("a", 1), event("b", 2))
    assert supersedes(event("a", 5), event("b", 5))
    assert not supersedes(event("b", 5), event("a", 5))


def test_latest_per_author_picks_the_winner_whatever_the_order() -> None:
    alice, bob = "1" * 64, "2" * 64
    events = [
        event("c", 5, alice),
        event("a", 5, alice),
        event("d", 9, bob),
        event("b", 4, alice),
        event("e", 10, bob, kind=0),
    ]
    for ordering in (events, list(reversed(events))):
        latest = latest_per_author(ordering, 3)
        assert {author: e.id[0] for author, e in latest.items()} == {alice: "a", bob: "d"}


def test_addresses() -> None:
    assert address_of(event("a", 1, kind=3)) == (3, "1" * 64, "")
    assert address_of(event("a", 1, kind=30382, tags=[["d", "x"]])) == (30382, "1" * 64, "x")
    assert address_of(event("a", 1, kind=1)) is None
