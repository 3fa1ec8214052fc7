"""Connected wallets and pending zap invoices, in PostgreSQL and in memory."""

import asyncio
from datetime import timedelta

import pytest

from domain.zaps.records import PendingZap, WalletConnectionRecord
from tests import builders
from tests.builders import NOW
from tests.integration.postgres.support import UowFactory, committed

pytestmark = pytest.mark.integration


def connection(user_id: object, alias: str = "wallet") -> WalletConnectionRecord:
    return WalletConnectionRecord(
        user_id=user_id,  # type: ignore[arg-type]
        wallet_pubkey="ab" * 32,
        relay="wss://relay.example",
        alias=alias,
        methods=("get_info", "make_invoice", "lookup_invoice"),
        sealed_uri="sealed",
        connected_at=NOW,
    )


def zap(user_id: object, payment_hash: str, expires_in: timedelta) -> PendingZap:
    return PendingZap(
        payment_hash=payment_hash,
        user_id=user_id,  # type: ignore[arg-type]
        bolt11="lnbcrt1...",
        zap_request="{}",
        expires_at=NOW + expires_in,
    )


async def test_z5_a_wallet_connection_is_replaced_and_forgotten(new_uow: UowFactory) -> None:
    user = builders.user()
    await committed(new_uow, user)
    async with new_uow() as uow:
        await uow.wallet_connections.put(connection(user.id, "first"))
        await uow.wallet_connections.put(connection(user.id, "second"))
        await uow.commit()
    async with new_uow() as uow:
        assert await uow.wallet_connections.get(user.id) == connection(user.id, "second")
        assert await uow.wallet_connections.remove(user.id) is True
        assert await uow.wallet_connections.remove(user.id) is False
        await uow.commit()
    async with new_uow() as uow:
        assert await uow.wallet_connections.get(user.id) is None


async def test_pending_zaps_list_unexpired_and_drop_expired(new_uow: UowFactory) -> None:
    user = builders.user()
    await committed(new_uow, user)
    live, later, gone = (
        zap(user.id, c * 64, timedelta(minutes=m)) for c, m in (("a", 5), ("b", 9), ("c", -1))
    )
    async with new_uow() as uow:
        for pending in (later, gone, live):
            await uow.pending_zaps.add(pending)
        await uow.commit()
    async with new_uow() as uow:
        assert await uow.pending_zaps.unexpired(NOW, limit=10) == [live, later]
        assert await uow.pending_zaps.remove_expired(NOW) == 1
        await uow.commit()


async def test_z4_of_concurrent_claims_of_one_zap_exactly_one_wins(new_uow: UowFactory) -> None:
    user = builders.user()
    pending = zap(user.id, "d" * 64, timedelta(minutes=5))
    await committed(new_uow, user)
    async with new_uow() as uow:
        await uow.pending_zaps.add(pending)
        await uow.commit()

    async def claim() -> PendingZap | None:
        async with new_uow() as uow:
            claimed = await uow.pending_zaps.claim(pending.payment_hash)
            await asyncio.sleep(0.05)
            await uow.commit()
            return claimed

    results = await asyncio.gather(*(claim() for _ in range(5)))
    assert [r for r in results if r is not None] == [pending]


async def test_z4_a_claim_rolled_back_can_be_claimed_again(new_uow: UowFactory) -> None:
    user = builders.user()
    pending = zap(user.id, "e" * 64, timedelta(minutes=5))
    await committed(new_uow, user)
    async with new_uow() as uow:
        await uow.pending_zaps.add(pending)
        await uow.commit()
    async with new_uow() as uow:
        assert await uow.pending_zaps.claim(pending.payment_hash) == pending
    async with new_uow() as uow:
        assert await uow.pending_zaps.claim(pending.payment_hash) == pending
        await uow.commit()
    async with new_uow() as uow:
        assert await uow.pending_zaps.claim(pending.payment_hash) is None
