"""NostrWalletConnection against a NIP-47 wallet service over a real relay process (NIP-44 v2)."""

import asyncio
from collections.abc import AsyncIterator

import pytest

from adapters.nwc.memory_wallet_service import NwcWalletService
from adapters.nwc.nostr_wallet_connect import NostrWalletConnection
from adapters.nwc.receipts import WebsocketReceiptPublisher
from domain.nostr.signing import generate_secret_key, sign_event
from domain.shared.errors import InvalidInput
from domain.zaps.nwc_uri import NwcUri
from domain.zaps.pay_request import description_hash
from domain.zaps.ports import WalletInvoice, WalletRefused, WalletUnavailable
from tests.fixtures.relay import RelayProcess

pytestmark = pytest.mark.integration
HASH = description_hash("zap")
GUARD = 30.0


async def first_notification(
    notifications: AsyncIterator[WalletInvoice], service: NwcWalletService, payment_hash: str
) -> WalletInvoice:
    """The first notification heard. Notifications are ephemeral events that the relay passes only
    to subscriptions already open, so the wallet notifies again until one is heard."""
    first = asyncio.ensure_future(anext(notifications))
    while not first.done():
        await service.notify_paid(payment_hash)
        await asyncio.wait({first}, timeout=0.2)
    return first.result()


async def test_get_info_make_and_lookup_invoice_over_the_relay(relay_url: str) -> None:
    service = NwcWalletService(relay_url)
    nwc = NostrWalletConnection()
    async with asyncio.timeout(GUARD), service.running():
        info = await nwc.get_info(service.uri)
        assert {"make_invoice", "lookup_invoice"} <= set(info.methods)
        made = await nwc.make_invoice(service.uri, amount_msat=21_000, description_hash=HASH, expiry=600)
        assert made.amount_msat == 21_000
        assert not (await nwc.lookup_invoice(service.uri, made.payment_hash)).paid
        service.wallet.pay(made.payment_hash)
        paid = await nwc.lookup_invoice(service.uri, made.payment_hash)
        assert paid.paid and paid.preimage


async def test_a_wallet_error_is_refused_with_its_code(relay_url: str) -> None:
    service = NwcWalletService(relay_url)
    async with asyncio.timeout(GUARD), service.running():
        with pytest.raises(WalletRefused) as refused:
            await NostrWalletConnection().lookup_invoice(service.uri, "00" * 32)
    assert refused.value.code == "NOT_FOUND"


async def test_z5_a_silent_wallet_gives_wallet_unavailable_within_the_deadline(relay_url: str) -> None:
    service = NwcWalletService(relay_url)
    service.silent = True
    async with asyncio.timeout(GUARD), service.running():
        with pytest.raises(WalletUnavailable):
            await asyncio.wait_for(
                NostrWalletConnection(deadline=1.0).get_info(service.uri), timeout=GUARD / 2
            )
    assert service.requests_seen == 1


async def test_z5_a_wallet_relay_that_is_down_gives_wallet_unavailable(relay_process: RelayProcess) -> None:
    url = relay_process.url
    relay_process.stop()
    uri = NwcUri(wallet_pubkey="ab" * 32, relays=(url,), secret=NwcWalletService(url).client_secret)
    with pytest.raises(WalletUnavailable):
        await asyncio.wait_for(NostrWalletConnection(deadline=1.0).get_info(uri), timeout=GUARD)


async def test_payment_notifications_arrive_decrypted(relay_url: str) -> None:
    service = NwcWalletService(relay_url)
    nwc = NostrWalletConnection()
    async with asyncio.timeout(GUARD), service.running():
        made = await nwc.make_invoice(service.uri, amount_msat=5_000, description_hash=HASH, expiry=600)
        notifications = nwc.notifications(service.uri)
        received = await first_notification(notifications, service, made.payment_hash)
        await notifications.aclose()
    assert received.payment_hash == made.payment_hash and received.paid


async def test_in_production_wallet_and_receipt_relays_on_private_addresses_are_refused(
    relay_url: str,
) -> None:
    service = NwcWalletService(relay_url)
    async with asyncio.timeout(GUARD), service.running():
        with pytest.raises(InvalidInput, match="private or loopback"):
            await NostrWalletConnection(public_only=True).get_info(service.uri)
        assert service.requests_seen == 0
        receipt = sign_event(generate_secret_key(), kind=9735, tags=[], content="", created_at=1_700_000_000)
        assert await WebsocketReceiptPublisher(public_only=True).publish([relay_url], receipt) == 0
        assert await WebsocketReceiptPublisher().publish([relay_url], receipt) == 1


async def test_an_older_wallet_without_nip44_in_its_info_event_is_spoken_to_in_nip04(relay_url: str) -> None:
    service = NwcWalletService(relay_url, nip04_only=True)
    nwc = NostrWalletConnection()
    async with asyncio.timeout(GUARD), service.running():
        assert "make_invoice" in (await nwc.get_info(service.uri)).methods
        made = await nwc.make_invoice(service.uri, amount_msat=1_000, description_hash=HASH, expiry=60)
        notifications = nwc.notifications(service.uri)
        received = await first_notification(notifications, service, made.payment_hash)
        await notifications.aclose()
    assert received.paid and received.payment_hash == made.payment_hash
