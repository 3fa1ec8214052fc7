"""T1: a custom domain's names belong to whoever holds the domain now.

Over HTTP against the real app on PostgreSQL, with a real DNS server (dnsmasq) holding the TXT
records: user A verifies acme-widgets.io and registers names on it; then A removes the domain, or
A's record disappears, and user B proves the domain with B's own record.
"""

import secrets
from datetime import timedelta
from typing import Any

import pytest

from domain.auth.users import UserRole
from domain.names.nip05 import Nip05
from tests.fixtures.auth import Api, SignedInUser
from tests.fixtures.dns import DnsServer
from tests.support.plans import ROOMY_PLANS_ENV

pytestmark = pytest.mark.integration
NAMES = "/api/v1/nip05"
DOMAINS = "/api/v1/domains"


@pytest.fixture
def acme() -> str:
    """acme-widgets.io, under a name of this test's own (tests of a run share one database)."""
    return f"acme-widgets-{secrets.token_hex(4)}.io"


@pytest.fixture
def api_settings_env(api_settings_env: dict[str, str], dns_server: DnsServer) -> dict[str, str]:
    return {**api_settings_env, "BILLING_PLANS": ROOMY_PLANS_ENV, "DNS_NAMESERVERS": dns_server.nameserver}


async def _nostr_json(api: Api, domain: str, name: str) -> Any:
    response = await api.client.get(
        "/.well-known/nostr.json", params={"name": name}, headers={"host": domain}
    )
    assert response.status_code == 200
    return response.json()["names"]


async def _claim(api: Api, user: SignedInUser, domain: str) -> dict[str, Any]:
    created = await api.client.post(DOMAINS, json={"domain": domain}, headers=user.headers)
    assert created.status_code == 201, created.text
    return dict(created.json())


async def _verify(api: Api, user: SignedInUser, domain: dict[str, Any]) -> Any:
    return await api.client.post(
        f"{DOMAINS}/{domain['id']}/verify", headers={"user-agent": "acme-console/1.0", **user.headers}
    )


async def _register(api: Api, user: SignedInUser, domain: str, name: str) -> Any:
    return await api.client.post(
        NAMES, json={"name": name, "domain": domain, "relays": ["wss://relay.acme"]}, headers=user.headers
    )


async def _a_holds_the_domain_with_names(
    api: Api, dns_server: DnsServer, acme: str
) -> tuple[SignedInUser, dict[str, Any], dict[str, Any]]:
    """A verifies the domain and registers `_` and `team` on it; both are served."""
    alice = await api.sign_in()
    domain = await _claim(api, alice, acme)
    dns_server.set_txt(f"_nostr-id.{acme}", domain["verification"]["value"])
    assert (await _verify(api, alice, domain)).json()["status"] == "verified"
    assert (await _register(api, alice, acme, "_")).status_code == 201
    team = await _register(api, alice, acme, "team")
    assert team.status_code == 201
    assert await _nostr_json(api, acme, "_") == {"_": alice.pubkey}
    return alice, domain, team.json()


async def _audit(api: Api, action: str, domain: str) -> list[dict[str, Any]]:
    admin = await api.sign_in(role=UserRole.ADMIN)
    log = await api.client.get("/api/v1/admin/audit-log", params={"action": action}, headers=admin.headers)
    assert log.status_code == 200
    return [entry for entry in log.json()["items"] if entry["details"]["domain"] == domain]


async def _recheck(api: Api, hours: int) -> None:
    """The periodic job, `hours` after the last step (it re-checks every domain of the run)."""
    api.clock.advance(timedelta(hours=hours))
    await api.run(lambda: api.container.names.recheck_domains()())


async def _status(api: Api, user: SignedInUser) -> str:
    """The status of the user's one domain."""
    [domain] = (await api.client.get(DOMAINS, headers=user.headers)).json()["items"]
    return str(domain["status"])


async def _again(api: Api, user: SignedInUser) -> SignedInUser:
    """The user signed in again after the clock moved past their access token's lifetime."""
    return await api.sign_in(secret_key=user.secret_key)


async def test_t1_after_a_removal_the_domains_new_holder_gets_it_without_the_old_names(
    api: Api, dns_server: DnsServer, acme: str
) -> None:
    alice, alices_domain, team = await _a_holds_the_domain_with_names(api, dns_server, acme)

    removed = await api.client.delete(
        f"{DOMAINS}/{alices_domain['id']}", headers={"user-agent": "acme-console/1.0", **alice.headers}
    )
    assert removed.status_code == 204
    assert await _nostr_json(api, acme, "_") == {}
    assert [
        n["identifier"] for n in (await api.client.get(NAMES, headers=alice.headers)).json()["items"]
    ] == []

    bob = await api.sign_in()
    bobs_domain = await _claim(api, bob, acme)
    dns_server.set_txt(f"_nostr-id.{acme}", bobs_domain["verification"]["value"])
    assert (await _verify(api, bob, bobs_domain)).json()["status"] == "verified"

    assert await _nostr_json(api, acme, "_") == {}
    assert await _nostr_json(api, acme, "team") == {}
    edit = await api.client.patch(f"{NAMES}/{team['id']}", json={"relays": []}, headers=alice.headers)
    assert edit.status_code == 404
    assert (await _register(api, bob, acme, "_")).status_code == 201
    assert (await _register(api, bob, acme, "team")).status_code == 201
    assert await _nostr_json(api, acme, "_") == {"_": bob.pubkey}
    assert await _nostr_json(api, acme, "team") == {"team": bob.pubkey}

    [entry] = await _audit(api, "domain.removed", acme)
    assert entry["actor_user_id"] == str(alice.user.id) and entry["target_id"] == alices_domain["id"]
    assert entry["user_agent"] == "acme-console/1.0"
    assert entry["details"] == {"domain": acme, "owner": str(alice.user.id), "names_ended": ["_", "team"]}


async def test_t1_a_new_holder_takes_over_at_once_when_the_old_record_is_gone(
    api: Api, dns_server: DnsServer, acme: str
) -> None:
    alice, alices_domain, team = await _a_holds_the_domain_with_names(api, dns_server, acme)
    bob = await api.sign_in()
    bobs_domain = await _claim(api, bob, acme)
    # The domain changed hands: only B's record is published now; A is inside the grace period.
    dns_server.set_txt(f"_nostr-id.{acme}", bobs_domain["verification"]["value"])
    await _recheck(api, hours=2)
    assert await _nostr_json(api, acme, "_") == {"_": alice.pubkey}
    alice, bob = await _again(api, alice), await _again(api, bob)

    verified = await _verify(api, bob, bobs_domain)

    assert verified.status_code == 200, verified.text
    assert verified.json()["status"] == "verified"
    assert await _nostr_json(api, acme, "_") == {}
    assert await _nostr_json(api, acme, "team") == {}
    edit = await api.client.patch(f"{NAMES}/{team['id']}", json={"relays": []}, headers=alice.headers)
    assert edit.status_code == 404
    alices_domains = (await api.client.get(DOMAINS, headers=alice.headers)).json()["items"]
    assert [(d["id"], d["status"]) for d in alices_domains] == [(alices_domain["id"], "failed")]
    assert (await _register(api, bob, acme, "_")).status_code == 201
    assert await _nostr_json(api, acme, "_") == {"_": bob.pubkey}

    [entry] = await _audit(api, "domain.taken_over", acme)
    assert entry["actor_user_id"] == str(bob.user.id) and entry["target_id"] == bobs_domain["id"]
    assert entry["user_agent"] == "acme-console/1.0"
    assert entry["details"] == {
        "domain": acme,
        "owner": str(bob.user.id),
        "previous_owners": [str(alice.user.id)],
        "names_ended": ["_", "team"],
    }
    # A's record coming back does not hand the domain back through the periodic job.
    dns_server.set_txt(
        f"_nostr-id.{acme}", alices_domain["verification"]["value"], bobs_domain["verification"]["value"]
    )
    await _recheck(api, hours=2)
    assert await _nostr_json(api, acme, "_") == {"_": bob.pubkey}
    assert await _status(api, await _again(api, alice)) == "failed"


async def test_t1_names_on_a_suspended_domain_are_neither_served_nor_editable_until_it_is_back(
    api: Api, dns_server: DnsServer, acme: str
) -> None:
    alice, alices_domain, team = await _a_holds_the_domain_with_names(api, dns_server, acme)
    dns_server.remove_txt(f"_nostr-id.{acme}")
    await _recheck(api, hours=2)
    await _recheck(api, hours=73)
    alice = await _again(api, alice)
    assert await _status(api, alice) == "suspended"

    edit = await api.client.patch(f"{NAMES}/{team['id']}", json={"relays": []}, headers=alice.headers)
    assert edit.status_code == 403
    assert edit.headers["content-type"].startswith("application/problem+json")
    assert await _nostr_json(api, acme, "team") == {}

    dns_server.set_txt(f"_nostr-id.{acme}", alices_domain["verification"]["value"])
    await _recheck(api, hours=2)
    alice = await _again(api, alice)
    assert await _status(api, alice) == "verified"
    edit = await api.client.patch(f"{NAMES}/{team['id']}", json={"relays": []}, headers=alice.headers)
    assert edit.status_code == 200
    assert await _nostr_json(api, acme, "team") == {"team": alice.pubkey}


async def test_t1_nostr_json_never_answers_a_name_registered_under_an_earlier_owner(
    api: Api, dns_server: DnsServer, acme: str
) -> None:
    bob = await api.sign_in()
    bobs_domain = await _claim(api, bob, acme)
    dns_server.set_txt(f"_nostr-id.{acme}", bobs_domain["verification"]["value"])
    assert (await _verify(api, bob, bobs_domain)).json()["status"] == "verified"
    # A row left by an earlier owner of the domain (as an earlier version of the service left them).
    alice = await api.sign_in()
    stale = Nip05.claim(
        user_id=alice.user.id, name="_", domain=acme, pubkey=alice.pubkey, now=api.clock.now()
    )

    async def leave_stale_row() -> None:
        async with api.container.unit_of_work() as uow:
            await uow.nip05_names.add(stale)
            await uow.commit()

    await api.run(leave_stale_row)

    assert await _nostr_json(api, acme, "_") == {}
    edit = await api.client.patch(f"{NAMES}/{stale.id}", json={"relays": []}, headers=alice.headers)
    assert edit.status_code == 403
    available = await api.client.get(
        f"{NAMES}/availability", params={"name": "_", "domain": acme}, headers=bob.headers
    )
    assert available.json()["available"] is True
    assert (await _register(api, bob, acme, "_")).status_code == 201
    assert await _nostr_json(api, acme, "_") == {"_": bob.pubkey}
