"""`NostrWalletConnection`: NIP-47 over a websocket to the wallet's relay, NIP-44 v2 encrypted.

Each request opens a connection to the wallet's relay, subscribes to the answer (kind 23195 from the
wallet, `e` = our request), publishes the request (kind 23194) and waits for the answer. The whole
exchange is bounded by the deadline: a relay that is down or a wallet that stays silent raises
WalletUnavailable within it. With `public_only` (production), a wallet relay on a private or
loopback address is refused.
"""

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import websockets

from adapters.nwc.messages import (
    ENCRYPTION,
    NOTIFICATION_KIND,
    REQUEST_KIND,
    RESPONSE_KIND,
    Nip47Notification,
    Nip47Request,
    Nip47Response,
    invoice_from,
)
from adapters.nwc.public_address import refuse_private
from domain.nostr import nip44
from domain.nostr.event import Event
from domain.nostr.signing import sign_event, verify_event
from domain.ports.wallet import WalletInfo, WalletInvoice, WalletRefused, WalletUnavailable
from domain.zaps.nwc_uri import NwcUri

DEFAULT_DEADLINE = 5.0
_frame = msgspec.json.Decoder(list[Any])
_event = msgspec.json.Decoder(Event)
_encode = msgspec.json.encode


class NostrWalletConnection:
    """The WalletConnection port over NIP-47: one short websocket exchange per request."""

    def __init__(self, deadline: float = DEFAULT_DEADLINE, public_only: bool = False) -> None:
        self._deadline = deadline
        self._public_only = public_only

    async def get_info(self, uri: NwcUri) -> WalletInfo:
        result = await self._request(uri, "get_info", {})
        return WalletInfo(
            alias=str(result.get("alias") or ""),
            methods=tuple(str(method) for method in result.get("methods") or ()),
            notifications=tuple(str(kind) for kind in result.get("notifications") or ()),
        )

    async def make_invoice(
        self, uri: NwcUri, *, amount_msat: int, description_hash: str, expiry: int
    ) -> WalletInvoice:
        params = {"amount": amount_msat, "description_hash": description_hash, "expiry": expiry}
        return self._invoice(await self._request(uri, "make_invoice", params))

    async def lookup_invoice(self, uri: NwcUri, payment_hash: str) -> WalletInvoice:
        return self._invoice(await self._request(uri, "lookup_invoice", {"payment_hash": payment_hash}))

    async def notifications(self, uri: NwcUri) -> AsyncIterator[WalletInvoice]:
        key = nip44.conversation_key(uri.secret, uri.wallet_pubkey)
        subscription = secrets.token_hex(8)
        wanted = {"kinds": [NOTIFICATION_KIND], "authors": [uri.wallet_pubkey], "#p": [uri.client_pubkey]}
        async with websockets.connect(uri.relays[0], open_timeout=self._deadline) as socket:
            await socket.send(_encode(["REQ", subscription, wanted]).decode())
            async for raw in socket:
                event = _event_of(raw, subscription, uri.wallet_pubkey)
                if event is None:
                    continue
                try:
                    body = msgspec.json.decode(nip44.decrypt(event.content, key), type=Nip47Notification)
                    if body.notification_type == "payment_received":
                        yield invoice_from(body.notification)
                except (nip44.Nip44Error, msgspec.DecodeError, msgspec.ValidationError, ValueError):
                    continue

    async def _request(self, uri: NwcUri, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if self._public_only:
            await refuse_private(uri.relays[0])
        key = nip44.conversation_key(uri.secret, uri.wallet_pubkey)
        content = nip44.encrypt(_encode(Nip47Request(method=method, params=params)).decode(), key)
        request = sign_event(
            uri.secret,
            kind=REQUEST_KIND,
            tags=[["p", uri.wallet_pubkey], ["encryption", ENCRYPTION]],
            content=content,
            created_at=int(time.time()),
        )
        try:
            async with asyncio.timeout(self._deadline):
                answer = await self._exchange(uri, request)
        except (TimeoutError, OSError, websockets.WebSocketException) as error:
            raise WalletUnavailable(f"the wallet did not answer {method} in time") from error
        try:
            response = msgspec.json.decode(nip44.decrypt(answer.content, key), type=Nip47Response)
        except (nip44.Nip44Error, msgspec.DecodeError, msgspec.ValidationError) as error:
            raise WalletRefused("OTHER", f"unreadable answer to {method}") from error
        if response.error is not None:
            raise WalletRefused(response.error.code, response.error.message)
        if response.result is None:
            raise WalletRefused("OTHER", f"no result for {method}")
        return response.result

    async def _exchange(self, uri: NwcUri, request: Event) -> Event:
        subscription = secrets.token_hex(8)
        wanted = {"kinds": [RESPONSE_KIND], "authors": [uri.wallet_pubkey], "#e": [request.id]}
        async with websockets.connect(uri.relays[0]) as socket:
            await socket.send(_encode(["REQ", subscription, wanted]).decode())
            await socket.send(_encode(["EVENT", request]).decode())
            async for raw in socket:
                event = _event_of(raw, subscription, uri.wallet_pubkey)
                if event is not None:
                    return event
        raise OSError("the relay closed the connection")

    @staticmethod
    def _invoice(result: dict[str, Any]) -> WalletInvoice:
        try:
            return invoice_from(result)
        except ValueError as error:
            raise WalletRefused("OTHER", "malformed invoice in the answer") from error


def _event_of(raw: str | bytes, subscription: str, author: str) -> Event | None:
    """The verified event of an EVENT frame for our subscription by `author`; None for anything else."""
    try:
        frame = _frame.decode(raw)
        if len(frame) < 3 or frame[0] != "EVENT" or frame[1] != subscription:
            return None
        event = msgspec.convert(frame[2], Event)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    if event.pubkey != author or not verify_event(event):
        return None
    return event
