"""Payments as the owners' wallets report them (NIP-47 `payment_received`), for receipts without
waiting for the next look-up round.

While a wallet has zap invoices waiting, one listener per wallet in this process turns each payment
notification into a receipt; PublishZapReceipt's claim keeps it to one receipt however many
notifications arrive, or however many processes hear them.
"""

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from uuid import UUID

from application.zaps.receipts import PublishZapReceipt
from domain.shared.errors import DomainError
from domain.zaps.nwc_uri import NwcUri
from domain.zaps.ports import WalletConnection

log = logging.getLogger(__name__)
RECONNECT_DELAY = 1.0


class PaymentListeners:
    """Keeps one notification listener per wallet that has zap invoices waiting (a Singleton)."""

    def __init__(self, wallet: WalletConnection, publish_receipt: PublishZapReceipt) -> None:
        self._wallet = wallet
        self._publish_receipt = publish_receipt
        self._tasks: dict[UUID, asyncio.Task[None]] = {}

    def keep(self, wallets: Mapping[UUID, NwcUri]) -> None:
        """Listens to exactly these wallets from now on: starts the missing, stops the others."""
        for user_id in list(self._tasks):
            task = self._tasks[user_id]
            if user_id not in wallets or task.done():
                task.cancel()
                del self._tasks[user_id]
        for user_id, uri in wallets.items():
            if user_id not in self._tasks:
                self._tasks[user_id] = asyncio.create_task(self._listen(uri), name=f"payments-{user_id}")

    async def close(self) -> None:
        tasks, self._tasks = list(self._tasks.values()), {}
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _listen(self, uri: NwcUri) -> None:
        while True:
            try:
                async for paid in self._wallet.notifications(uri):
                    if paid.paid:
                        await self._publish_receipt(paid)
            except (DomainError, OSError, ValueError) as error:
                log.info("payment notifications of wallet %s interrupted: %s", uri.wallet_pubkey, error)
            await asyncio.sleep(RECONNECT_DELAY)
