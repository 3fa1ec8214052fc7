from domain.nostr.event import Event
from domain.wot.contacts import followed_pubkeys

AUTHOR = "a" * 64
B = "b" * 64
C = "c" * 64


def _contacts(tags: list[list[str]], kind: int = 3) -> Event:
    return Event(id="0" * 64, pubkey=AUTHOR, created_at=1, kind=kind, tags=tags, content="", sig="0" * 128)


def test_reads_distinct_valid_p_tags_in_order() -> None:
    event = _contacts([["p", C], ["p", B, "wss://relay.example", "bob"], ["p", C]])

    assert followed_pubkeys(event) == [C, B]


def test_malformed_p_tags_are_ignored() -> None:
    event = _contacts(
        [
            ["p"],
            ["p", ""],
            ["p", B.upper()],
            ["p", B[:63]],
            ["p", B + "0"],
            ["p", "npub1" + "q" * 58],
            ["e", C],
            [],
            ["p", C],
        ]
    )

    assert followed_pubkeys(event) == [C]


def test_following_oneself_does_not_count() -> None:
    assert followed_pubkeys(_contacts([["p", AUTHOR], ["p", B]])) == [B]


def test_no_list_or_another_kind_follows_nobody() -> None:
    assert followed_pubkeys(None) == []
    assert followed_pubkeys(_contacts([["p", B]], kind=1)) == []
