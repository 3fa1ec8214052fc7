"""`MemoryWallet`: an in-process wallet with the WalletConnection semantics, for tests.

It makes real, signed bolt11 invoices (with a node key of its own, which no route reaches), answers
lookups, and reports payments made with `pay` to every open `notifications` iterator. A silent wallet
(`silent = True`) answers nothing and raises WalletUnavailable when the deadline passes, as the NWC
adapter does.
"""

import asyncio
import hashlib
import os
import time
from collections.abc import AsyncIterator, Callable

import bolt11
from bolt11.models.tags import Tag, TagChar, Tags
from coincurve import PrivateKey

from domain.zaps.nwc_uri import NwcUri
from domain.zaps.ports import WalletInfo, WalletInvoice, WalletRefused, WalletUnavailable

METHODS = ("get_info", "make_invoice", "lookup_invoice")


class MemoryWallet:
    """The WalletConnection port in memory. Every connection string reaches the same wallet."""

    def __init__(self, *, alias: str = "memory wallet", deadline: float = 5.0) -> None:
        self.alias = alias
        self.methods: tuple[str, ...] = METHODS
        self.silent = False
        # A fault hook for tests: what the wallet does to each bolt11 it makes (amount, hash...).
        self.tamper: Callable[[int, str], tuple[int, str]] | None = None
        self._deadline = deadline
        self._node_key = PrivateKey()
        self._invoices: dict[str, WalletInvoice] = {}
        self._preimages: dict[str, str] = {}
        self._listeners: list[asyncio.Queue[WalletInvoice]] = []

    async def get_info(self, uri: NwcUri) -> WalletInfo:
        await self._answer()
        return WalletInfo(alias=self.alias, methods=self.methods, notifications=("payment_received",))

    async def make_invoice(
        self, uri: NwcUri, *, amount_msat: int, description_hash: str, expiry: int
    ) -> WalletInvoice:
        await self._answer()
        if "make_invoice" not in self.methods:
            raise WalletRefused("RESTRICTED", "make_invoice is not allowed")
        preimage = os.urandom(32)
        payment_hash = hashlib.sha256(preimage).hexdigest()
        made_at = int(time.time())
        encoded_amount, encoded_hash = (
            self.tamper(amount_msat, description_hash) if self.tamper else (amount_msat, description_hash)
        )
        invoice = bolt11.Bolt11(
            currency="bc",
            date=made_at,
            amount_msat=bolt11.MilliSatoshi(encoded_amount),
            tags=Tags(
                [
                    Tag(TagChar.payment_hash, payment_hash),
                    Tag(TagChar.payment_secret, os.urandom(32).hex()),
                    Tag(TagChar.description_hash, encoded_hash),
                    Tag(TagChar.expire_time, expiry),
                ]
            ),
        )
        made = WalletInvoice(
            bolt11=bolt11.encode(invoice, self._node_key.secret.hex()),
            payment_hash=payment_hash,
            amount_msat=amount_msat,
            expires_at=made_at + expiry,
        )
        self._invoices[payment_hash] = made
        self._preimages[payment_hash] = preimage.hex()
        return made

    async def lookup_invoice(self, uri: NwcUri, payment_hash: str) -> WalletInvoice:
        await self._answer()
        if payment_hash not in self._invoices:
            raise WalletRefused("NOT_FOUND", "no such invoice")
        return self._invoices[payment_hash]

    async def notifications(self, uri: NwcUri) -> AsyncIterator[WalletInvoice]:
        queue: asyncio.Queue[WalletInvoice] = asyncio.Queue()
        self._listeners.append(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._listeners.remove(queue)

    def pay(self, payment_hash: str, *, notify: int = 1) -> WalletInvoice:
        """Marks an invoice paid (as a payer's wallet would) and notifies `notify` times."""
        unpaid = self._invoices[payment_hash]
        paid = WalletInvoice(
            bolt11=unpaid.bolt11,
            payment_hash=payment_hash,
            amount_msat=unpaid.amount_msat,
            expires_at=unpaid.expires_at,
            settled_at=int(time.time()),
            preimage=self._preimages[payment_hash],
        )
        self._invoices[payment_hash] = paid
        for _ in range(notify):
            for queue in self._listeners:
                queue.put_nowait(paid)
        return paid

    async def _answer(self) -> None:
        if self.silent:
            await asyncio.sleep(self._deadline)
            raise WalletUnavailable("the wallet did not answer in time")
