"""NIP-85 assertion tags and provider keys (V4), pure."""

from domain.nostr.event import Event
from domain.nostr.signing import public_key_of, sign_event
from domain.wot.assertion import assertion_tags, personalized_secret_key, says_the_same
from tests.unit.wot.world import PUB, SECRET


def test_v4_tags_name_the_subject_and_round_the_rank() -> None:
    assert assertion_tags(PUB["carol"], 0.996, 12, 1_700_000_000, 4) == [
        ["d", PUB["carol"]],
        ["rank", "100"],
        ["followers", "12"],
        ["first_created_at", "1700000000"],
        ["post_cnt", "4"],
    ]
    assert assertion_tags(PUB["carol"], 0.004, 0, None, 0) == [
        ["d", PUB["carol"]],
        ["rank", "0"],
        ["followers", "0"],
        ["post_cnt", "0"],
    ]


def test_v4_an_assertion_with_the_same_tags_in_another_order_says_the_same() -> None:
    tags = assertion_tags(PUB["carol"], 0.5, 3, None, 1)
    held: Event = sign_event(SECRET["seed"], kind=30382, tags=list(reversed(tags)), content="", created_at=1)

    assert says_the_same(held, tags)
    assert not says_the_same(held, assertion_tags(PUB["carol"], 0.5, 4, None, 1))
    assert not says_the_same(None, tags)


def test_v4_each_viewer_has_its_own_provider_key_derived_from_the_service_key() -> None:
    service = SECRET["seed"]
    alice, again, bob = (personalized_secret_key(service, PUB[v]) for v in ("alice", "alice", "bob"))
    other_service = personalized_secret_key(SECRET["xavier"], PUB["alice"])

    assert alice == again
    assert len({alice, bob, other_service, service}) == 4
    assert len({public_key_of(k) for k in (alice, bob, other_service)}) == 3
