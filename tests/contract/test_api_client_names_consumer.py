"""Consumer contract: what the nostr-id Python client (`client/`) expects of the NIP-05 names,
custom domains, administration and nostr.json endpoints. Written into the same pact as the other
client interactions and verified against the real app by test_api_provider.py."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from pact import Pact, match

from client import NostrIdClient
from domain.nostr.pubkeys import HEX_PUBKEY
from tests.contract import api_states as world

PACTS = Path(__file__).parent / "pacts"
CONSUMER, PROVIDER = "nostr-id-client", "nostr-id"
DATETIME = "2026-01-01T00:00:00Z"
HEX = f"^{HEX_PUBKEY.pattern}$"


def _name(name_id: str, name: str, status: str = "active") -> dict:
    return {
        "id": match.uuid(name_id),
        "name": name,
        "domain": world.DEFAULT_DOMAIN,
        "identifier": f"{name}@{world.DEFAULT_DOMAIN}",
        "pubkey": match.regex(world.ALICE.pubkey, regex=HEX),
        "relays": match.each_like("wss://relay.example.com", min=0),
        "status": status,
        "expires_at": None,
    }


def _domain(domain_id: str, domain: str) -> dict:
    return {
        "id": match.uuid(domain_id),
        "domain": domain,
        "status": match.str("pending"),
        "verification": {
            "type": "TXT",
            "name": f"_nostr-id.{domain}",
            "value": match.regex(
                f"nostr-id-verify={world.DOMAIN_TOKEN}", regex="^nostr-id-verify=[0-9a-f]{32,128}$"
            ),
        },
    }


@pytest.fixture
def pact(request: pytest.FixtureRequest) -> Iterator[Pact]:
    # After the other client consumer tests (if any ran in this session): they start the pact file afresh.
    contract = Pact(CONSUMER, PROVIDER).with_specification("V4")
    yield contract
    contract.write_file(PACTS, overwrite=False)


def _signed_in(server_url: str) -> NostrIdClient:
    client = NostrIdClient(str(server_url), public_url=world.PUBLIC_URL)
    return client.with_bearer(world.access_token(world.SIGNED_IN_FAMILY))


def _bearer() -> str:
    return f"Bearer {world.access_token(world.SIGNED_IN_FAMILY)}"


def _admin_bearer() -> str:
    return f"Bearer {world.admin_access_token()}"


def test_names(pact: Pact) -> None:
    (
        pact.upon_receiving("a question whether a name is free")
        .with_request("GET", "/api/v1/nip05/availability")
        .with_query_parameter("name", "free-name")
        .will_respond_with(200)
        .with_body({"name": "free-name", "domain": world.DEFAULT_DOMAIN, "available": True, "reason": None})
    )
    (
        pact.upon_receiving("a registration of a name")
        .given(world.SIGNED_IN)
        .with_request("POST", "/api/v1/nip05")
        .with_header("Authorization", _bearer())
        .with_body({"name": "carol", "relays": ["wss://relay.example.com"]}, content_type="application/json")
        .will_respond_with(201)
        .with_body(_name("05000000-0000-4000-8000-0000000000c0", "carol"))
    )
    (
        pact.upon_receiving("a list of the user's names")
        .given(world.HAS_NAME)
        .with_request("GET", "/api/v1/nip05")
        .with_header("Authorization", _bearer())
        .will_respond_with(200)
        .with_body({"items": match.each_like(_name(str(world.ALICE_NAME_ID), "alice"))})
    )
    (
        pact.upon_receiving("a change of a name's relays")
        .given(world.HAS_NAME)
        .with_request("PATCH", f"/api/v1/nip05/{world.ALICE_NAME_ID}")
        .with_header("Authorization", _bearer())
        .with_body({"relays": ["wss://relay.example.com"]}, content_type="application/json")
        .will_respond_with(200)
        .with_body(_name(str(world.ALICE_NAME_ID), "alice"))
    )
    (
        pact.upon_receiving("a release of a name")
        .given(world.RELEASES_NAME)
        .with_request("DELETE", f"/api/v1/nip05/{world.ALICE_OLD_NAME_ID}")
        .with_header("Authorization", _bearer())
        .will_respond_with(204)
    )
    (
        pact.upon_receiving("the NIP-05 document of a name")
        .given(world.HAS_NAME)
        .with_request("GET", "/.well-known/nostr.json")
        .with_query_parameter("name", "alice")
        .with_header("Host", world.DEFAULT_DOMAIN)
        .will_respond_with(200)
        .with_header("Access-Control-Allow-Origin", "*")
        .with_body(
            {
                "names": {"alice": match.regex(world.ALICE.pubkey, regex=HEX)},
                "relays": match.like({world.ALICE.pubkey: ["wss://relay.example.com"]}),
            }
        )
    )
    with pact.serve() as server:
        anonymous = NostrIdClient(str(server.url), public_url=world.PUBLIC_URL)
        free = anonymous.name_availability("free-name")
        client = _signed_in(server.url)
        carol = client.register_name("carol", relays=["wss://relay.example.com"])
        names = client.names()
        changed = client.update_name_relays(str(world.ALICE_NAME_ID), ["wss://relay.example.com"])
        client.release_name(str(world.ALICE_OLD_NAME_ID))
        document = anonymous.nostr_json("alice", world.DEFAULT_DOMAIN)

    assert free.available is True
    assert carol.identifier == f"carol@{world.DEFAULT_DOMAIN}"
    assert names[0].name == "alice" and changed.relays == ["wss://relay.example.com"]
    assert document.names == {"alice": world.ALICE.pubkey}


def test_domains(pact: Pact) -> None:
    (
        pact.upon_receiving("a claim of a custom domain")
        .given(world.SIGNED_IN)
        .with_request("POST", "/api/v1/domains")
        .with_header("Authorization", _bearer())
        .with_body({"domain": "carol-names.org"}, content_type="application/json")
        .will_respond_with(201)
        .with_body(_domain("d0000000-0000-4000-8000-0000000000c0", "carol-names.org"))
    )
    (
        pact.upon_receiving("a list of the user's domains")
        .given(world.HAS_DOMAIN)
        .with_request("GET", "/api/v1/domains")
        .with_header("Authorization", _bearer())
        .will_respond_with(200)
        .with_body({"items": match.each_like(_domain(str(world.ALICE_DOMAIN_ID), "alice-names.org"))})
    )
    (
        pact.upon_receiving("a removal of a custom domain")
        .given(world.REMOVES_DOMAIN)
        .with_request("DELETE", f"/api/v1/domains/{world.ALICE_OLD_DOMAIN_ID}")
        .with_header("Authorization", _bearer())
        .will_respond_with(204)
    )
    with pact.serve() as server:
        client = _signed_in(server.url)
        claimed = client.add_domain("carol-names.org")
        domains = client.domains()
        client.remove_domain(str(world.ALICE_OLD_DOMAIN_ID))

    assert claimed.verification.name == "_nostr-id.carol-names.org"
    assert domains[0].domain == "alice-names.org"


def test_administration(pact: Pact) -> None:
    (
        pact.upon_receiving("an admin's search for users")
        .given(world.ADMIN_SIGNED_IN)
        .with_request("GET", "/api/v1/admin/users")
        .with_query_parameter("query", world.ALICE.pubkey[:16])
        .with_header("Authorization", _admin_bearer())
        .will_respond_with(200)
        .with_body(
            {
                "items": match.each_like(
                    {
                        "id": match.uuid(str(world.ALICE.id)),
                        "pubkey": match.regex(world.ALICE.pubkey, regex=HEX),
                        "npub": match.regex("npub1" + "q" * 58, regex="^npub1[02-9ac-hj-np-z]{58}$"),
                        "role": match.str("user"),
                        "status": match.str("active"),
                        "created_at": match.str(DATETIME),
                    }
                ),
                "next_cursor": None,
            }
        )
    )
    (
        pact.upon_receiving("an admin's suspension of a name")
        .given(world.ADMIN_SIGNED_IN)
        .given(world.FLAGGED_NAME)
        .with_request("POST", f"/api/v1/admin/nip05/{world.ALICE_FLAGGED_NAME_ID}/suspend")
        .with_header("Authorization", _admin_bearer())
        .will_respond_with(200)
        .with_body(_name(str(world.ALICE_FLAGGED_NAME_ID), "alice-flagged", status="suspended"))
    )
    (
        pact.upon_receiving("an admin's read of the audit log")
        .given(world.ADMIN_SIGNED_IN)
        .with_request("GET", "/api/v1/admin/audit-log")
        .with_query_parameter("action", "nip05.suspended")
        .with_header("Authorization", _admin_bearer())
        .will_respond_with(200)
        .with_body(
            {
                "items": match.each_like(
                    {
                        "id": match.uuid("a0d10000-0000-4000-8000-000000000001"),
                        "occurred_at": match.str(DATETIME),
                        "action": "nip05.suspended",
                        "actor_user_id": match.uuid(str(world.ADMIN.id)),
                        "target_type": match.str("nip05"),
                        "target_id": match.str(str(world.ALICE_FLAGGED_NAME_ID)),
                        "details": match.like({"via": "api"}),
                    },
                    min=0,
                ),
                "next_cursor": None,
            }
        )
    )
    with pact.serve() as server:
        admin = NostrIdClient(str(server.url), public_url=world.PUBLIC_URL).with_bearer(
            world.admin_access_token()
        )
        users, following = admin.admin_users(query=world.ALICE.pubkey[:16])
        suspended = admin.suspend_name(str(world.ALICE_FLAGGED_NAME_ID))
        entries, _ = admin.audit_log(action="nip05.suspended")

    assert users[0].pubkey == world.ALICE.pubkey and following is None
    assert suspended.status == "suspended"
    assert all(entry.action == "nip05.suspended" for entry in entries)


def _offer(offer_id: str, name: str, direction: str) -> dict:
    return {
        "id": match.uuid(offer_id),
        "name": name,
        "domain": world.DEFAULT_DOMAIN,
        "to_pubkey": match.regex(world.BOB.pubkey, regex=HEX),
        "created_at": match.str(DATETIME),
        "expires_at": match.str(DATETIME),
        "direction": direction,
    }


def _bob_bearer() -> str:
    return f"Bearer {world.bob_access_token()}"


def test_locks_and_transfer_offers(pact: Pact) -> None:
    (
        pact.upon_receiving("a lock of a name against transfer offers")
        .given(world.LOCKS_NAME)
        .with_request("PATCH", f"/api/v1/nip05/{world.ALICE_LOCKED_NAME_ID}")
        .with_header("Authorization", _bearer())
        .with_body({"locked": True}, content_type="application/json")
        .will_respond_with(200)
        .with_body({**_name(str(world.ALICE_LOCKED_NAME_ID), "alice-locked"), "locked": True})
    )
    (
        pact.upon_receiving("an offer of a name to another pubkey")
        .given(world.OFFERS_NAME)
        .with_request("POST", f"/api/v1/nip05/{world.ALICE_OFFERED_NAME_ID}/offers")
        .with_header("Authorization", _bearer())
        .with_body({"to_pubkey": world.BOB.pubkey}, content_type="application/json")
        .will_respond_with(201)
        .with_body(_offer("0ff00000-0000-4000-8000-0000000000ff", "alice-offered", "made"))
    )
    (
        pact.upon_receiving("a withdrawal of a transfer offer")
        .given(world.CANCELS_OFFER)
        .with_request("DELETE", f"/api/v1/nip05/offers/{world.CANCELED_OFFER_ID}")
        .with_header("Authorization", _bearer())
        .will_respond_with(204)
    )
    (
        pact.upon_receiving("a list of the transfer offers made to the receiver")
        .given(world.BOB_HAS_OFFER)
        .with_request("GET", "/api/v1/nip05/offers")
        .with_header("Authorization", _bob_bearer())
        .will_respond_with(200)
        .with_body({"items": match.each_like(_offer(str(world.LISTED_OFFER_ID), "alice-listed", "received"))})
    )
    (
        pact.upon_receiving("an accept of a transfer offer by its receiver")
        .given(world.BOB_ACCEPTS_OFFER)
        .with_request("POST", f"/api/v1/nip05/offers/{world.ACCEPTED_OFFER_ID}/accept")
        .with_header("Authorization", _bob_bearer())
        .will_respond_with(200)
        .with_body(
            {
                **_name(str(world.ALICE_GIFT_NAME_ID), "alice-gift"),
                "pubkey": match.regex(world.BOB.pubkey, regex=HEX),
                "relays": [],
                "locked": False,
            }
        )
    )
    with pact.serve() as server:
        alice = _signed_in(server.url)
        locked = alice.lock_name(str(world.ALICE_LOCKED_NAME_ID))
        offer = alice.offer_name(str(world.ALICE_OFFERED_NAME_ID), world.BOB.pubkey)
        alice.cancel_offer(str(world.CANCELED_OFFER_ID))
        bob = NostrIdClient(str(server.url), public_url=world.PUBLIC_URL).with_bearer(
            world.bob_access_token()
        )
        offers = bob.offers()
        taken = bob.accept_offer(str(world.ACCEPTED_OFFER_ID))

    assert locked.locked is True
    assert (offer.name, offer.to_pubkey) == ("alice-offered", world.BOB.pubkey)
    assert [(o.name, o.direction) for o in offers] == [("alice-listed", "received")]
    assert (taken.name, taken.pubkey) == ("alice-gift", world.BOB.pubkey)
