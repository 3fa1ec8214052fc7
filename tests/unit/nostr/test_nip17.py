"""NIP-17 direct messages: the gift wrap opens with the recipient's key into a seal signed by the
sender and a kind-14 rumor; times are tweaked into the past; the kind-10050 list's relays are read."""

import msgspec

from domain.nostr import nip44
from domain.nostr.event import Event
from domain.nostr.nip17 import MAX_DM_RELAYS, TIME_TWEAK_SECONDS, Rumor, direct_message, dm_relays
from domain.nostr.serialization import compute_id
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event, verify_event

NOW = 1_767_225_600


def test_a_direct_message_opens_with_the_recipients_key_only():
    sender, recipient = generate_secret_key(), generate_secret_key()
    wrap = direct_message(sender, public_key_of(recipient), "renew: https://x.example/plans", now=NOW)

    assert wrap.kind == 1059 and verify_event(wrap)
    assert wrap.tags == (("p", public_key_of(recipient)),)
    assert wrap.pubkey not in {public_key_of(sender), public_key_of(recipient)}
    seal = msgspec.json.decode(
        nip44.decrypt(wrap.content, nip44.conversation_key(recipient, wrap.pubkey)), type=Event
    )
    assert seal.kind == 13 and seal.pubkey == public_key_of(sender) and verify_event(seal) and seal.tags == ()
    rumor = msgspec.json.decode(
        nip44.decrypt(seal.content, nip44.conversation_key(recipient, seal.pubkey)), type=Rumor
    )
    assert rumor.kind == 14 and rumor.pubkey == public_key_of(sender) and rumor.created_at == NOW
    assert rumor.id == compute_id(rumor.pubkey, rumor.created_at, rumor.kind, rumor.tags, rumor.content)
    assert rumor.content == "renew: https://x.example/plans"
    for event in (seal, wrap):
        assert NOW - TIME_TWEAK_SECONDS < event.created_at <= NOW
    stranger = generate_secret_key()
    try:
        nip44.decrypt(wrap.content, nip44.conversation_key(stranger, wrap.pubkey))
    except nip44.Nip44Error:
        pass
    else:
        raise AssertionError("a stranger opened the gift wrap")


def test_the_dm_relays_are_the_relay_tags_of_a_kind_10050_list_in_order_without_repeats():
    owner = generate_secret_key()
    tags = [
        ["relay", "wss://a.example"],
        ["relay", "https://not.a.relay"],
        ["relay", "wss://a.example"],
        ["r", "wss://b"],
    ]
    tags += [["relay", f"wss://r{i}.example"] for i in range(20)]
    listed = sign_event(owner, kind=10050, tags=tags, content="", created_at=NOW)

    relays = dm_relays(listed)

    assert relays[0] == "wss://a.example" and len(relays) == MAX_DM_RELAYS
    assert "https://not.a.relay" not in relays and "wss://b" not in relays
    assert dm_relays(None) == []
    assert dm_relays(sign_event(owner, kind=3, tags=tags, content="", created_at=NOW)) == []
