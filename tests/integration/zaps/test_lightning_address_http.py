"""Lightning addresses and zaps over HTTP, through the app `nostr-id serve` builds, on PostgreSQL."""

import asyncio
import secrets
import sys
from urllib.parse import urlsplit

import bolt11
import msgspec
import pytest
from dependency_injector import providers

from adapters.nwc.memory_wallet import MemoryWallet
from adapters.nwc.memory_wallet_service import NwcWalletService, running_in_thread
from adapters.nwc.nostr_wallet_connect import NostrWalletConnection
from application.auth.admin_users import Actor
from domain.nostr.event import Event, Filter
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event
from domain.zaps.pay_request import description_hash
from tests.fixtures.auth import Api, SignedInUser

pytestmark = pytest.mark.integration
HOST = "testserver.local"
GUARD = 30.0
# Names are unique per test: the run's database is shared by every test and parametrization.
SUFFIX = ""


@pytest.fixture(autouse=True)
def _names_of_this_test(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.modules[__name__], "SUFFIX", secrets.token_hex(3))


@pytest.fixture
def api_settings_env(api_settings_env: dict[str, str]) -> dict[str, str]:
    return api_settings_env | {"WALLET_SECRET_KEYS": "a-test-key-for-wallet-secrets-0123456789"}


@pytest.fixture
def wallet(api_container) -> MemoryWallet:
    memory = MemoryWallet(deadline=1.0)
    api_container.zaps.wallet_connection.override(providers.Object(memory))
    return memory


def nwc_url() -> str:
    return (
        f"nostr+walletconnect://{public_key_of(generate_secret_key())}"
        f"?relay=wss%3A%2F%2Frelay.example&secret={generate_secret_key()}"
    )


async def owner_with_wallet(api: Api, name: str, url: str | None = None) -> SignedInUser:
    owner = await api.sign_in()
    await api.run(lambda: api.container.names.register_name()(owner.user.id, name))
    connected = await api.client.put(
        "/api/v1/wallet", json={"nwc_url": url or nwc_url()}, headers=owner.headers
    )
    assert connected.status_code == 200, connected.text
    return owner


def zap_request(recipient: str, amount: int, **extra: list[str]) -> str:
    tags = [["relays", "ws://127.0.0.1:1"], ["p", recipient], ["amount", str(amount)], *extra.values()]
    event = sign_event(generate_secret_key(), kind=9734, tags=tags, content="", created_at=1_700_000_000)
    return msgspec.json.encode(event).decode()


async def test_z1_the_pay_request_names_the_address_and_allows_nostr_with_the_service_key(
    api: Api, wallet: MemoryWallet
) -> None:
    await owner_with_wallet(api, f"alice-{SUFFIX}")
    response = await api.client.get(f"/.well-known/lnurlp/alice-{SUFFIX}", headers={"host": HOST})
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == "*"
    body = response.json()
    assert body["tag"] == "payRequest" and body["allowsNostr"] is True
    assert body["nostrPubkey"] == public_key_of(api.container.service_key())
    assert ["text/identifier", f"alice-{SUFFIX}@{HOST}"] in msgspec.json.decode(body["metadata"])
    assert urlsplit(body["callback"]).path == f"/api/v1/lnurlp/{HOST}/alice-{SUFFIX}/callback"
    assert body["minSendable"] <= body["maxSendable"] and body["commentAllowed"] > 0


async def test_z1_no_pay_request_without_a_wallet_for_a_suspended_owner_or_an_unknown_name(
    api: Api, wallet: MemoryWallet
) -> None:
    bare = await api.sign_in()
    await api.run(lambda: api.container.names.register_name()(bare.user.id, "bare"))
    suspended = await owner_with_wallet(api, f"gone-{SUFFIX}")
    await api.run(
        lambda: api.container.admin.set_suspension()(
            suspended.user.id, suspended=True, actor=Actor(via="test")
        )
    )
    for name in ("bare", f"gone-{SUFFIX}", "nobody"):
        response = await api.client.get(f"/.well-known/lnurlp/{name}", headers={"host": HOST})
        assert response.status_code == 404, name
        assert response.json()["status"] == "ERROR"
        assert response.headers["access-control-allow-origin"] == "*"


async def test_z3_the_callback_returns_the_invoice_for_the_metadata_with_a_verify_url(
    api: Api, wallet: MemoryWallet
) -> None:
    await owner_with_wallet(api, f"carol-{SUFFIX}")
    metadata = (await api.client.get(f"/.well-known/lnurlp/carol-{SUFFIX}", headers={"host": HOST})).json()[
        "metadata"
    ]
    response = await api.client.get(
        f"/api/v1/lnurlp/{HOST}/carol-{SUFFIX}/callback", params={"amount": "21000"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["routes"] == []
    from domain.zaps.invoice import check_invoice

    checked = check_invoice(body["pr"], amount_msat=21_000, description_hash=description_hash(metadata))
    verify = await api.client.get(urlsplit(body["verify"]).path)
    assert verify.json() == {"status": "OK", "settled": False, "preimage": None, "pr": body["pr"]}
    wallet.pay(checked.payment_hash)
    assert (await api.client.get(urlsplit(body["verify"]).path)).json()["settled"] is True


async def test_z3_a_wallet_that_answers_with_another_amount_or_description_is_refused(
    api: Api, wallet: MemoryWallet
) -> None:
    await owner_with_wallet(api, f"dave-{SUFFIX}")
    callback = f"/api/v1/lnurlp/{HOST}/dave-{SUFFIX}/callback"
    wallet.tamper = lambda amount, hash_: (amount * 2, hash_)
    assert (await api.client.get(callback, params={"amount": "21000"})).json()["status"] == "ERROR"
    wallet.tamper = lambda amount, hash_: (amount, description_hash("another"))
    response = await api.client.get(callback, params={"amount": "21000"})
    assert response.status_code == 502 and response.json()["status"] == "ERROR"
    assert "description" in response.json()["reason"]


async def test_z2_a_forged_or_mismatched_zap_request_is_refused_before_the_wallet_is_asked(
    api: Api, wallet: MemoryWallet
) -> None:
    owner = await owner_with_wallet(api, f"erin-{SUFFIX}")
    callback = f"/api/v1/lnurlp/{HOST}/erin-{SUFFIX}/callback"
    made_before = len(wallet._invoices)
    other = public_key_of(generate_secret_key())
    forged = msgspec.json.decode(zap_request(owner.pubkey, 21_000))
    forged["content"] = "tampered"
    for nostr, amount in (
        (zap_request(other, 21_000), "21000"),
        (zap_request(owner.pubkey, 5_000), "21000"),
        (msgspec.json.encode(forged).decode(), "21000"),
    ):
        response = await api.client.get(callback, params={"amount": amount, "nostr": nostr})
        assert response.status_code == 400, response.text
        assert response.json()["status"] == "ERROR"
    assert len(wallet._invoices) == made_before


async def test_z4_a_paid_zap_gets_one_receipt_however_often_the_watcher_runs(
    api: Api, wallet: MemoryWallet
) -> None:
    owner = await owner_with_wallet(api, f"frank-{SUFFIX}")
    nostr = zap_request(owner.pubkey, 21_000)
    response = await api.client.get(
        f"/api/v1/lnurlp/{HOST}/frank-{SUFFIX}/callback", params={"amount": "21000", "nostr": nostr}
    )
    assert response.status_code == 200, response.text
    from domain.zaps.invoice import check_invoice

    checked = check_invoice(
        response.json()["pr"], amount_msat=21_000, description_hash=description_hash(nostr)
    )
    assert await api.run(lambda: api.container.zaps.watch_zap_invoices()()) == 0
    # Paid without a notification: only the watcher's look-ups can find it (the notification path
    # has tests of its own), so the rounds alone must publish exactly one receipt.
    wallet.pay(checked.payment_hash, notify=0)
    rounds = await api.run(
        lambda: asyncio.gather(*(api.container.zaps.watch_zap_invoices()() for _ in range(4)))
    )
    assert sum(rounds) == 1
    relay = api.container.relay()
    [receipt] = await api.run(lambda: relay.query([Filter(kinds=(9735,))]))
    assert ("description", nostr) in receipt.tags


async def test_z5_the_secret_is_sealed_at_rest_never_returned_and_forgotten_on_disconnect(
    api: Api, wallet: MemoryWallet
) -> None:
    url = nwc_url()
    secret = url.rpartition("secret=")[2]
    owner = await owner_with_wallet(api, f"grace-{SUFFIX}", url)
    shown = await api.client.get("/api/v1/wallet", headers=owner.headers)
    assert shown.status_code == 200 and secret not in shown.text
    assert shown.json()["relay"] == "wss://relay.example"

    async def stored() -> list[str]:
        async with api.container.db_pool().connection() as conn:
            query = "SELECT sealed_uri FROM wallet_connections WHERE user_id = %s"
            rows = await (await conn.execute(query, (owner.user.id,))).fetchall()
        return [row[0] for row in rows]

    assert all(secret not in sealed for sealed in await api.run(stored))
    assert (await api.client.delete("/api/v1/wallet", headers=owner.headers)).status_code == 204
    assert (await api.client.get("/api/v1/wallet", headers=owner.headers)).status_code == 404
    assert len(await api.run(stored)) == 0


async def test_z5_a_wallet_without_make_invoice_is_not_connected(api: Api, wallet: MemoryWallet) -> None:
    owner = await api.sign_in()
    wallet.methods = ("get_info", "lookup_invoice")
    response = await api.client.put("/api/v1/wallet", json={"nwc_url": nwc_url()}, headers=owner.headers)
    assert response.status_code == 422
    assert "make_invoice" in response.json()["detail"]


async def test_z5_a_silent_wallet_gives_a_lud_error_within_the_deadline(api: Api, relay_url: str) -> None:
    api.container.zaps.wallet_connection.override(providers.Object(NostrWalletConnection(deadline=1.0)))
    service = NwcWalletService(relay_url)
    with running_in_thread(service):
        await owner_with_wallet(api, f"heidi-{SUFFIX}", service.connection_string)
        service.silent = True
        response = await api.client.get(
            f"/api/v1/lnurlp/{HOST}/heidi-{SUFFIX}/callback", params={"amount": "21000"}
        )
    assert response.status_code == 503
    assert response.json()["status"] == "ERROR"
    assert service.requests_seen == 2  # get_info when connecting, make_invoice unanswered


async def test_invoices_are_limited_per_name_and_counted_in_the_metrics(
    api: Api, wallet: MemoryWallet
) -> None:
    from application.rate_limits import RatePolicy
    from application.zaps.pay import PaySettings

    settings: PaySettings = api.container.zaps.pay_settings()
    api.container.zaps.pay_settings.override(
        providers.Object(
            msgspec.structs.replace(settings, per_name=RatePolicy(name="lnurlp_name", limit=2, period=60.0))
        )
    )
    await owner_with_wallet(api, f"ivan-{SUFFIX}")
    callback = f"/api/v1/lnurlp/{HOST}/ivan-{SUFFIX}/callback"
    statuses = [(await api.client.get(callback, params={"amount": "1000"})).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    metrics = (await api.client.get("/metrics")).text
    made = [
        line
        for line in metrics.splitlines()
        if line.startswith('nostr_id_lnurlp_invoices_total{outcome="made"}')
    ]
    assert made and float(made[0].split()[-1]) >= 2


async def test_z4_a_payment_notified_twice_gives_one_receipt_without_a_look_up(
    api: Api, wallet: MemoryWallet
) -> None:
    owner = await owner_with_wallet(api, f"judy-{SUFFIX}")
    nostr = zap_request(owner.pubkey, 21_000)
    response = await api.client.get(
        f"/api/v1/lnurlp/{HOST}/judy-{SUFFIX}/callback", params={"amount": "21000", "nostr": nostr}
    )
    payment_hash = bolt11.decode(response.json()["pr"]).payment_hash
    # A round with the invoice unpaid starts listening to the owner's wallet.
    assert await api.run(lambda: api.container.zaps.watch_zap_invoices()()) == 0
    unpaid = wallet._invoices[payment_hash]

    async def notify_twice() -> None:
        wallet.pay(payment_hash, notify=2)
        wallet._invoices[payment_hash] = unpaid  # look-ups keep saying unpaid: only notifications tell

    await api.run(notify_twice)
    relay = api.container.relay()
    receipts: list[Event] = []
    async with asyncio.timeout(GUARD):
        while not receipts:
            receipts = await api.run(
                lambda: relay.query([Filter(kinds=(9735,), tags={"p": (owner.pubkey,)})])
            )
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # room for a second receipt, if there were one
        receipts = await api.run(lambda: relay.query([Filter(kinds=(9735,), tags={"p": (owner.pubkey,)})]))
    assert len(receipts) == 1
    assert ("description", nostr) in receipts[0].tags
