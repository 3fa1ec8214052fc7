"""`NostrWalletConnection`: NIP-47 over a websocket to the wallet's relay.

Requests are NIP-44 v2 encrypted, or NIP-04 for a wallet whose info event (kind 13194, read once per
wallet) does not offer NIP-44. Each request opens a connection to the wallet's relay, subscribes to
the answer (kind 23195 from the wallet, `e` = our request), publishes the request (kind 23194) and
waits for the answer. The whole exchange is bounded by the deadline: a relay that is down or a wallet
that stays silent raises WalletUnavailable within it. With `public_only` (production), a wallet
relay on a private or loopback address is refused.
"""

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import websockets

from adapters.nwc.encryption import NOTIFICATION_KINDS, Cipher, CipherError, scheme_of
from adapters.nwc.messages import (
    INFO_KIND,
    REQUEST_KIND,
    RESPONSE_KIND,
    Nip47Notification,
    Nip47Request,
    Nip47Response,
    invoice_from,
)
from adapters.nwc.public_address import refuse_private
from domain.nostr.event import Event
from domain.nostr.signing import sign_event, verify_event
from domain.zaps.nwc_uri import NwcUri
from domain.zaps.ports import WalletInfo, WalletInvoice, WalletRefused, WalletUnavailable

DEFAULT_DEADLINE = 5.0
_frame = msgspec.json.Decoder(list[Any])
_event = msgspec.json.Decoder(Event)
_encode = msgspec.json.encode


class NostrWalletConnection:
    """The WalletConnection port over NIP-47: one short websocket exchange per request."""

    def __init__(self, deadline: float = DEFAULT_DEADLINE, public_only: bool = False) -> None:
        self._deadline = deadline
        self._public_only = public_only
        # The encryption each wallet takes, read once from its info event (kind 13194).
        self._schemes: dict[str, str] = {}

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
        ciphers = {kind: Cipher(uri, scheme) for scheme, kind in NOTIFICATION_KINDS.items()}
        subscription = secrets.token_hex(8)
        wanted = {"kinds": sorted(ciphers), "authors": [uri.wallet_pubkey], "#p": [uri.client_pubkey]}
        async with websockets.connect(uri.relays[0], open_timeout=self._deadline) as socket:
            await socket.send(_encode(["REQ", subscription, wanted]).decode())
            async for raw in socket:
                event = _event_of(raw, subscription, uri.wallet_pubkey)
                if event is None or event.kind not in ciphers:
                    continue
                try:
                    plaintext = ciphers[event.kind].decrypt(event.content)
                    body = msgspec.json.decode(plaintext, type=Nip47Notification)
                    if body.notification_type == "payment_received":
                        yield invoice_from(body.notification)
                except (CipherError, msgspec.DecodeError, msgspec.ValidationError, ValueError):
                    continue

    async def _request(self, uri: NwcUri, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if self._public_only:
            await refuse_private(uri.relays[0])
        body = _encode(Nip47Request(method=method, params=params)).decode()
        try:
            async with asyncio.timeout(self._deadline):
                cipher, answer = await self._exchange(uri, body)
        except (TimeoutError, OSError, websockets.WebSocketException) as error:
            raise WalletUnavailable(f"the wallet did not answer {method} in time") from error
        try:
            response = msgspec.json.decode(cipher.decrypt(answer.content), type=Nip47Response)
        except (CipherError, msgspec.DecodeError, msgspec.ValidationError) as error:
            raise WalletRefused("OTHER", f"unreadable answer to {method}") from error
        if response.error is not None:
            raise WalletRefused(response.error.code, response.error.message)
        if response.result is None:
            raise WalletRefused("OTHER", f"no result for {method}")
        return response.result

    async def _exchange(self, uri: NwcUri, body: str) -> tuple[Cipher, Event]:
        async with websockets.connect(uri.relays[0]) as socket:
            scheme = self._schemes.get(uri.wallet_pubkey)
            if scheme is None:
                scheme = scheme_of(await _info_tags(socket, uri.wallet_pubkey))
                self._schemes[uri.wallet_pubkey] = scheme
            cipher = Cipher(uri, scheme)
            request = sign_event(
                uri.secret,
                kind=REQUEST_KIND,
                tags=[["p", uri.wallet_pubkey], *cipher.request_tags],
                content=cipher.encrypt(body),
                created_at=int(time.time()),
            )
            subscription = secrets.token_hex(8)
            wanted = {"kinds": [RESPONSE_KIND], "authors": [uri.wallet_pubkey], "#e": [request.id]}
            await socket.send(_encode(["REQ", subscription, wanted]).decode())
            await socket.send(_encode(["EVENT", request]).decode())
            async for raw in socket:
                event = _event_of(raw, subscription, uri.wallet_pubkey)
                if event is not None:
                    return cipher, event
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


async def _info_tags(socket: Any, wallet_pubkey: str) -> tuple[tuple[str, ...], ...] | None:
    """The tags of the wallet's info event (kind 13194), or None when the relay holds none."""
    subscription = secrets.token_hex(8)
    wanted = {"kinds": [INFO_KIND], "authors": [wallet_pubkey], "limit": 1}
    await socket.send(_encode(["REQ", subscription, wanted]).decode())
    tags = None
    async for raw in socket:
        event = _event_of(raw, subscription, wallet_pubkey)
        if event is not None:
            tags = event.tags
            continue
        frame = _frame.decode(raw)
        if len(frame) >= 2 and frame[0] in ("EOSE", "CLOSED") and frame[1] == subscription:
            break
    await socket.send(_encode(["CLOSE", subscription]).decode())
    return tags
