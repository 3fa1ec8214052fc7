"""Names for life against the real PostgreSQL: no look-alikes between accounts (N9), names held for
an open checkout, and transfer offers (N6), over HTTP on the real app and container."""

import base64
import random
from datetime import timedelta

import msgspec
import psycopg
import pytest
from dependency_injector import providers

from adapters.cache.memory_cache import MemoryCache
from adapters.payments.fake import FakePaymentProvider
from domain.auth.users import UserRole
from domain.names.folding import fold_name
from domain.names.transfers import OFFER_LIFETIME
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event
from domain.shared.errors import Conflict
from tests.fixtures.auth import TEST_PUBLIC_URL, Api
from tests.integration.names.support import add_user, names_container, serving
from tests.support.concurrent_http import send_at_once
from tests.support.lookalikes import N9_CASES
from tests.support.plans import ROOMY_PLANS_ENV

pytestmark = pytest.mark.integration
NAMES = "/api/v1/nip05"
HOST = "testserver.local"
# Letters that neither fold nor make a pair that folds: random names built of them never pass for
# one another by accident, across the tests sharing this database.
PLAIN = "cdfghjkpquxyz"


def plain_name(length: int = 10) -> str:
    return "".join(random.choice(PLAIN) for _ in range(length))


@pytest.fixture
def api_settings_env(api_settings_env):
    return {**api_settings_env, "BILLING_PLANS": ROOMY_PLANS_ENV}


@pytest.fixture
def fake_provider(api_container, api_clock) -> FakePaymentProvider:
    provider = FakePaymentProvider(api_clock, MemoryCache(api_clock), webhook_secret="fake-secret")
    api_container.billing.fake_payments.override(providers.Object(provider))
    return provider


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()


async def _served(api: Api, name: str) -> dict:
    response = await api.client.get("/.well-known/nostr.json", params={"name": name}, headers={"host": HOST})
    assert response.status_code == 200
    return response.json()["names"]


# --- N9 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("held", "asked", "same_owner", "refused"), N9_CASES)
async def test_n9_the_lookalike_table_holds_on_postgresql(
    postgres_dsn, held, asked, same_owner, refused
) -> None:
    container = names_container(postgres_dsn, None, DEFAULT_DOMAIN=f"{plain_name()}.test")
    async with serving(container):
        owner = await add_user(container)
        asker = owner if same_owner else await add_user(container)
        await container.names.register_name()(owner.id, held)
        availability = await container.names.check_name_availability()(asker.id, asked)
        if refused:
            assert not availability.available
            with pytest.raises(Conflict, match=held):
                await container.names.register_name()(asker.id, asked)
        else:
            assert availability.available, availability.reason
            assert (await container.names.register_name()(asker.id, asked)).name == asked.lower()


@pytest.mark.parametrize(
    "name", ["alice", "a1ice", "ADM-1N", "rnarina", "vvendy", "b.0_b-8", "x7y5z43", "i1l0o", "_", "a"]
)
async def test_n9_the_folded_column_agrees_with_the_domains_fold(api, postgres_dsn, name) -> None:
    user = await api.sign_in()
    domain = f"{plain_name()}.test"
    stored = name.lower()
    async with await psycopg.AsyncConnection.connect(postgres_dsn, autocommit=True) as conn:
        row = await (
            await conn.execute(
                "INSERT INTO nip05_names (user_id, name, domain, pubkey) VALUES (%s, %s, %s, %s) "
                "RETURNING name_fold",
                (user.user.id, stored, domain, user.pubkey),
            )
        ).fetchone()
    assert row is not None and row[0] == fold_name(stored)


async def test_n9_a_lookalike_of_another_accounts_name_is_409_and_availability_says_why(api) -> None:
    alice, bob = await api.sign_in(), await api.sign_in()
    base = plain_name()
    held = f"{base}o-i"
    assert (await api.client.post(NAMES, json={"name": held}, headers=alice.headers)).status_code == 201

    lookalike = f"{base.upper()}0_1"
    availability = await api.client.get(
        f"{NAMES}/availability", params={"name": lookalike}, headers=bob.headers
    )
    assert availability.json()["available"] is False and held in availability.json()["reason"]
    problem = _problem(await api.client.post(NAMES, json={"name": lookalike}, headers=bob.headers), 409)
    assert held in problem["detail"]

    own = await api.client.post(NAMES, json={"name": f"{base}01"}, headers=alice.headers)
    assert own.status_code == 201, own.text


async def test_n9_a_fold_follows_its_names_through_release_and_transfer(api) -> None:
    alice, bob, carol = await api.sign_in(), await api.sign_in(), await api.sign_in()
    base = plain_name()
    first = await _name(api, alice, f"{base}o")
    second = await _name(api, alice, f"{base}-0")
    assert (await api.client.delete(f"{NAMES}/{first['id']}", headers=alice.headers)).status_code == 204
    # Alice still holds a name of that fold: Bob is refused.
    _problem(await api.client.post(NAMES, json={"name": f"{base}_o"}, headers=bob.headers), 409)

    offer = (await _offer(api, alice, second["id"], bob.pubkey)).json()
    accepted = await api.client.post(f"{NAMES}/offers/{offer['id']}/accept", headers=bob.headers)
    assert accepted.status_code == 200, accepted.text
    # The fold moved with the name: Bob may add his own variant, Alice and Carol may not.
    assert (await api.client.post(NAMES, json={"name": f"{base}.o"}, headers=bob.headers)).status_code == 201
    _problem(await api.client.post(NAMES, json={"name": f"{base}0"}, headers=alice.headers), 409)
    _problem(await api.client.post(NAMES, json={"name": f"{base}0"}, headers=carol.headers), 409)

    for record in (await api.client.get(NAMES, headers=bob.headers)).json()["items"]:
        assert (await api.client.delete(f"{NAMES}/{record['id']}", headers=bob.headers)).status_code == 204
    # Released names hold no fold: a look-alike (not the released names themselves) is free at once.
    assert (await api.client.post(NAMES, json={"name": f"{base}0"}, headers=carol.headers)).status_code == 201


async def test_n9_of_accounts_racing_for_lookalike_names_exactly_one_wins(api) -> None:
    racers = [await api.sign_in() for _ in range(10)]
    base = plain_name()
    variants = [f"{base}o", f"{base}0", f"{base}-o", f"{base}_0", f"{base}.o", f"{base.upper()}O"]
    variants += [f"{base}-0", f"{base}o-", f"{base}0_", f"{base}.0"]
    variants = [v.rstrip("-_.") or v for v in variants]
    answers = await send_at_once(
        api,
        TEST_PUBLIC_URL,
        [
            ("POST", NAMES, {"json": {"name": v}, "headers": r.headers})
            for v, r in zip(variants, racers, strict=True)
        ],
    )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] + [409] * 9, [a.text for a in answers]
    (winner,) = [a.json() for a in answers if a.status_code == 201]
    for answer in answers:
        if answer.status_code == 409:
            assert winner["name"] in answer.json()["detail"]


# --- Names held for an open checkout ------------------------------------------------------------


async def _checkout(api: Api, user, names: list[str]):
    body = {"plan_id": "pro-monthly", "provider": "fake", "names": names}
    return await api.client.post("/api/v1/subscriptions", json=body, headers=user.headers)


async def test_of_ten_concurrent_checkouts_for_one_name_exactly_one_holds_it_and_payment_registers_it(
    api: Api, fake_provider
) -> None:
    buyers = [await api.sign_in() for _ in range(10)]
    name = plain_name()
    body = {"plan_id": "pro-monthly", "provider": "fake", "names": [name]}
    answers = await send_at_once(
        api,
        TEST_PUBLIC_URL,
        [("POST", "/api/v1/subscriptions", {"json": body, "headers": b.headers}) for b in buyers],
    )
    assert sorted(a.status_code for a in answers) == [201] + [409] * 9, [a.text for a in answers]
    for answer in answers:
        if answer.status_code == 409:
            assert answer.headers["content-type"].startswith("application/problem+json")
            assert f"{name}@{HOST} is held for another buyer" in answer.json()["detail"]
    winner_index = next(i for i, a in enumerate(answers) if a.status_code == 201)
    winner, payment = buyers[winner_index], answers[winner_index].json()["payment"]
    other = buyers[(winner_index + 1) % len(buyers)]

    availability = await api.client.get(f"{NAMES}/availability", params={"name": name}, headers=other.headers)
    assert availability.json()["available"] is False and "held" in availability.json()["reason"]
    _problem(await api.client.post(NAMES, json={"name": name}, headers=other.headers), 409)
    assert await _served(api, name) == {}

    settled = await api.client.post(f"/api/v1/payments/{payment['id']}/fake-settle", headers=winner.headers)
    assert settled.status_code == 200 and settled.json()["status"] == "paid"
    (record,) = (await api.client.get(NAMES, headers=winner.headers)).json()["items"]
    assert (record["name"], record["status"], record["pubkey"]) == (name, "active", winner.pubkey)
    assert await _served(api, name) == {name: winner.pubkey}


async def test_a_hold_ends_with_its_unpaid_invoice_and_the_name_is_free_again(
    api: Api, fake_provider
) -> None:
    buyer, later = await api.sign_in(), await api.sign_in()
    name = plain_name()
    checkout = await _checkout(api, buyer, [name])
    assert checkout.status_code == 201, checkout.text
    _problem(await _checkout(api, later, [name]), 409)

    expires_at = checkout.json()["payment"]["expires_at"]
    api.clock.advance(timedelta(hours=2))
    assert api.clock.now().isoformat() > expires_at
    expired = await api.run(lambda: api.container.billing.expire_unpaid_invoices()())
    assert expired >= 1

    assert await api.run(lambda: api.container.names.list_names()(buyer.user.id)) == []
    later = await api.sign_in(secret_key=later.secret_key)  # the first session's token has expired
    availability = await api.client.get(f"{NAMES}/availability", params={"name": name}, headers=later.headers)
    assert availability.json() == {"name": name, "domain": HOST, "available": True, "reason": None}
    assert (await api.client.post(NAMES, json={"name": name}, headers=later.headers)).status_code == 201


async def test_a_checkout_refuses_names_breaking_the_rules_before_any_invoice(
    api: Api, fake_provider
) -> None:
    buyer = await api.sign_in()
    problem = _problem(await _checkout(api, buyer, ["admin"]), 422)
    assert "reserved" in problem["detail"]
    _problem(await _checkout(api, buyer, ["bad name"]), 422)
    _problem(await _checkout(api, buyer, [plain_name() for _ in range(21)]), 422)
    problem = _problem(await _checkout(api, buyer, [plain_name() for _ in range(6)]), 403)
    assert "quota" in problem["detail"]


# --- N6 -------------------------------------------------------------------------------------------


async def _name(api: Api, user, name: str | None = None) -> dict:
    created = await api.client.post(NAMES, json={"name": name or plain_name()}, headers=user.headers)
    assert created.status_code == 201, created.text
    return created.json()


async def _offer(api: Api, user, name_id: str, to_pubkey: str):
    return await api.client.post(
        f"{NAMES}/{name_id}/offers", json={"to_pubkey": to_pubkey}, headers=user.headers
    )


async def test_n6_a_name_moves_on_the_receivers_accept_and_both_sides_are_audited(api: Api) -> None:
    giver, receiver = await api.sign_in(), await api.sign_in()
    admin = await api.sign_in(role=UserRole.ADMIN)
    record = await _name(api, giver)
    assert await _served(api, record["name"]) == {record["name"]: giver.pubkey}

    offered = await _offer(api, giver, record["id"], receiver.pubkey)
    assert offered.status_code == 201, offered.text
    offer = offered.json()
    assert (offer["name"], offer["to_pubkey"]) == (record["name"], receiver.pubkey)
    assert offer["expires_at"] == (api.clock.now() + OFFER_LIFETIME).isoformat().replace("+00:00", "Z")
    made = (await api.client.get(f"{NAMES}/offers", headers=giver.headers)).json()["items"]
    received = (await api.client.get(f"{NAMES}/offers", headers=receiver.headers)).json()["items"]
    assert [(o["id"], o["direction"]) for o in made] == [(offer["id"], "made")]
    assert [(o["id"], o["direction"]) for o in received] == [(offer["id"], "received")]

    accepted = await api.client.post(f"{NAMES}/offers/{offer['id']}/accept", headers=receiver.headers)
    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["id"], accepted.json()["pubkey"]) == (record["id"], receiver.pubkey)
    assert await _served(api, record["name"]) == {record["name"]: receiver.pubkey}
    assert (await api.client.get(NAMES, headers=giver.headers)).json()["items"] == []
    assert (await api.client.get(f"{NAMES}/offers", headers=receiver.headers)).json()["items"] == []

    async def actions(user) -> set[str]:
        page = await api.client.get(
            "/api/v1/admin/audit-log", params={"actor": str(user.user.id)}, headers=admin.headers
        )
        return {entry["action"] for entry in page.json()["items"] if entry["target_id"] == record["id"]}

    assert await actions(giver) == {"nip05.transfer_offered", "nip05.transferred_away"}
    assert await actions(receiver) == {"nip05.transfer_accepted"}


async def test_n6_of_concurrent_accepts_of_one_offer_exactly_one_wins(api: Api) -> None:
    giver, receiver = await api.sign_in(), await api.sign_in()
    record = await _name(api, giver)
    offer = (await _offer(api, giver, record["id"], receiver.pubkey)).json()
    url = f"{NAMES}/offers/{offer['id']}/accept"
    answers = await send_at_once(api, TEST_PUBLIC_URL, [("POST", url, {"headers": receiver.headers})] * 5)
    assert sorted(a.status_code for a in answers) == [200] + [409] * 4, [a.text for a in answers]
    assert [n["id"] for n in (await api.client.get(NAMES, headers=receiver.headers)).json()["items"]] == [
        record["id"]
    ]


async def test_n6_of_concurrent_accepts_of_two_offers_for_one_name_exactly_one_wins(api: Api) -> None:
    giver, first, second = await api.sign_in(), await api.sign_in(), await api.sign_in()
    record = await _name(api, giver)
    offers = [(await _offer(api, giver, record["id"], r.pubkey)).json() for r in (first, second)]
    answers = await send_at_once(
        api,
        TEST_PUBLIC_URL,
        [
            ("POST", f"{NAMES}/offers/{offer['id']}/accept", {"headers": receiver.headers})
            for offer, receiver in zip(offers, (first, second), strict=True)
        ],
    )
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    winner = (first, second)[[a.status_code for a in answers].index(200)]
    assert await _served(api, record["name"]) == {record["name"]: winner.pubkey}
    holders = [len((await api.client.get(NAMES, headers=u.headers)).json()["items"]) for u in (first, second)]
    assert sorted(holders) == [0, 1]


async def test_n6_an_expired_offer_is_refused_and_makes_room_for_the_next(api: Api, postgres_dsn) -> None:
    giver, receiver = await api.sign_in(), await api.sign_in()
    record = await _name(api, giver)
    offer = (await _offer(api, giver, record["id"], receiver.pubkey)).json()
    api.clock.advance(OFFER_LIFETIME)
    receiver = await api.sign_in(secret_key=receiver.secret_key)  # the first session's token has expired
    problem = _problem(
        await api.client.post(f"{NAMES}/offers/{offer['id']}/accept", headers=receiver.headers), 409
    )
    assert "expired" in problem["detail"]
    assert await _served(api, record["name"]) == {record["name"]: giver.pubkey}

    giver = await api.sign_in(secret_key=giver.secret_key)
    again = await _offer(api, giver, record["id"], receiver.pubkey)
    assert again.status_code == 201, again.text
    listed = (await api.client.get(f"{NAMES}/offers", headers=giver.headers)).json()["items"]
    assert [o["id"] for o in listed] == [again.json()["id"]]
    async with await psycopg.AsyncConnection.connect(postgres_dsn, autocommit=True) as conn:
        rows = await (
            await conn.execute("SELECT id FROM nip05_transfer_offers WHERE nip05_id = %s", (record["id"],))
        ).fetchall()
    assert [str(row[0]) for row in rows] == [again.json()["id"]]


async def test_n6_a_locked_name_refuses_offers(api: Api) -> None:
    giver, receiver = await api.sign_in(), await api.sign_in()
    record = await _name(api, giver)
    pending = (await _offer(api, giver, record["id"], receiver.pubkey)).json()
    locked = await api.client.patch(f"{NAMES}/{record['id']}", json={"locked": True}, headers=giver.headers)
    assert locked.status_code == 200 and locked.json()["locked"] is True
    assert locked.json()["relays"] == record["relays"]

    problem = _problem(await _offer(api, giver, record["id"], receiver.pubkey), 409)
    assert "locked" in problem["detail"]
    _problem(await api.client.post(f"{NAMES}/offers/{pending['id']}/accept", headers=receiver.headers), 404)

    unlocked = await api.client.patch(
        f"{NAMES}/{record['id']}", json={"locked": False}, headers=giver.headers
    )
    assert unlocked.json()["locked"] is False
    assert (await _offer(api, giver, record["id"], receiver.pubkey)).status_code == 201


async def test_n6_a_new_pubkey_accepts_with_one_nip98_request(api: Api) -> None:
    giver = await api.sign_in()
    secret = generate_secret_key()
    pubkey = public_key_of(secret)
    record = await _name(api, giver)
    offer = (await _offer(api, giver, record["id"], pubkey)).json()
    path = f"{NAMES}/offers/{offer['id']}/accept"
    event = sign_event(
        secret,
        kind=27235,
        tags=[["u", TEST_PUBLIC_URL + path], ["method", "POST"]],
        content="",
        created_at=int(api.clock.now().timestamp()),
    )
    header = {"Authorization": "Nostr " + base64.b64encode(msgspec.json.encode(event)).decode()}

    accepted = await api.client.post(path, headers=header)

    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["pubkey"] == pubkey
    assert await _served(api, record["name"]) == {record["name"]: pubkey}


async def test_n6_only_the_receiver_and_only_the_owner_act_on_an_offer(api: Api) -> None:
    giver, receiver, mallory = await api.sign_in(), await api.sign_in(), await api.sign_in()
    record = await _name(api, giver)
    _problem(await _offer(api, mallory, record["id"], mallory.pubkey), 404)
    _problem(await _offer(api, giver, record["id"], "npub1notakey"), 422)
    offer = (await _offer(api, giver, record["id"], receiver.pubkey)).json()
    _problem(await api.client.post(f"{NAMES}/offers/{offer['id']}/accept", headers=mallory.headers), 404)
    _problem(await api.client.delete(f"{NAMES}/offers/{offer['id']}", headers=mallory.headers), 404)
    assert (
        await api.client.delete(f"{NAMES}/offers/{offer['id']}", headers=giver.headers)
    ).status_code == 204
    _problem(await api.client.post(f"{NAMES}/offers/{offer['id']}/accept", headers=receiver.headers), 404)


async def test_offer_and_lock_requests_are_checked_at_the_edge(api: Api) -> None:
    giver = await api.sign_in()
    record = await _name(api, giver)
    bad_npub = "npub1" + "q" * 58
    problem = _problem(await _offer(api, giver, record["id"], bad_npub), 422)
    assert problem["errors"]
    for locked in (0, "true", 1):
        patch = await api.client.patch(
            f"{NAMES}/{record['id']}", json={"locked": locked}, headers=giver.headers
        )
        assert _problem(patch, 422)["errors"]


async def test_n6_the_receivers_plan_quota_applies(api: Api) -> None:
    giver, receiver = await api.sign_in(), await api.sign_in()
    for _ in range(20):
        await _name(api, receiver)
    record = await _name(api, giver)
    offer = (await _offer(api, giver, record["id"], receiver.pubkey)).json()
    problem = _problem(
        await api.client.post(f"{NAMES}/offers/{offer['id']}/accept", headers=receiver.headers), 403
    )
    assert "quota" in problem["detail"]


async def test_n6_a_lock_racing_an_accept_ends_one_way_or_the_other(api: Api) -> None:
    giver, receiver = await api.sign_in(), await api.sign_in()
    for _ in range(5):
        record = await _name(api, giver)
        offer = (await _offer(api, giver, record["id"], receiver.pubkey)).json()
        lock, accept = await send_at_once(
            api,
            TEST_PUBLIC_URL,
            [
                ("PATCH", f"{NAMES}/{record['id']}", {"json": {"locked": True}, "headers": giver.headers}),
                ("POST", f"{NAMES}/offers/{offer['id']}/accept", {"headers": receiver.headers}),
            ],
        )
        outcome = (lock.status_code, accept.status_code)
        # The lock first: the offer is withdrawn. The accept first: the name is no longer the giver's.
        assert outcome in {(200, 404), (200, 409), (404, 200)}, (lock.text, accept.text)
        owner = receiver if accept.status_code == 200 else giver
        assert await _served(api, record["name"]) == {record["name"]: owner.pubkey}
