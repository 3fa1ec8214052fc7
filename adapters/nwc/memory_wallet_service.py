"""A small NIP-47 wallet service over a real relay, backed by a MemoryWallet.

It listens for requests (kind 23194) addressed to its key, decrypts them (NIP-44 v2), calls the
MemoryWallet and answers (kind 23195, encrypted) on the same relay; `notify_paid` reports a payment with a
`payment_received` notification. `silent = True` makes it read requests and answer none. Its info
event (kind 13194) offers NIP-44 v2 and NIP-04; `nip04_only=True` makes it an older wallet whose info
event has no `encryption` tag and which reads and writes NIP-04 only.
"""

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import msgspec
from websockets.asyncio.client import ClientConnection, connect

from adapters.nwc.memory_wallet import MemoryWallet
from domain.nostr import nip04, nip44
from domain.nostr.event import Event
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event
from domain.zaps.nwc_uri import NwcUri, format_nwc_uri
from domain.zaps.ports import WalletInvoice, WalletRefused


class NwcWalletService:
    def __init__(self, relay_url: str, wallet: MemoryWallet | None = None, nip04_only: bool = False) -> None:
        self.relay_url = relay_url
        self.nip04_only = nip04_only
        self.wallet = wallet or MemoryWallet()
        self.silent = False
        self.requests_seen = 0
        self._key = generate_secret_key()
        self.pubkey = public_key_of(self._key)
        self.client_secret = generate_secret_key()
        self._socket: ClientConnection | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def uri(self) -> NwcUri:
        return NwcUri(wallet_pubkey=self.pubkey, relays=(self.relay_url,), secret=self.client_secret)

    @property
    def connection_string(self) -> str:
        return format_nwc_uri(self.uri)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator["NwcWalletService"]:
        async with connect(self.relay_url) as socket:
            self._socket = socket
            info_tags = [] if self.nip04_only else [["encryption", "nip44_v2 nip04"]]
            info = sign_event(
                self._key,
                kind=13194,
                tags=info_tags,
                content="get_info make_invoice lookup_invoice",
                created_at=int(time.time()),
            )
            await socket.send(json.dumps(["EVENT", msgspec.to_builtins(info)]))
            while json.loads(await socket.recv())[0] != "OK":
                pass
            await socket.send(json.dumps(["REQ", "requests", {"kinds": [23194], "#p": [self.pubkey]}]))
            while json.loads(await socket.recv())[0] != "EOSE":
                pass
            self._task = asyncio.create_task(self._serve(socket))
            try:
                yield self
            finally:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task

    async def notify_paid(self, payment_hash: str, times: int = 1) -> WalletInvoice:
        paid = self.wallet.pay(payment_hash)
        body = {"notification_type": "payment_received", "notification": _transaction(paid)}
        kind = 23196 if self.nip04_only else 23197
        for _ in range(times):
            await self._send(kind, self.uri.client_pubkey, body, [])
        return paid

    async def _serve(self, socket: ClientConnection) -> None:
        async for raw in socket:
            frame = json.loads(raw)
            if frame[0] != "EVENT" or frame[1] != "requests":
                continue
            request = msgspec.convert(frame[2], Event)
            self.requests_seen += 1
            if self.silent:
                continue
            nip44_asked = ["encryption", "nip44_v2"] in [list(tag) for tag in request.tags]
            if nip44_asked and self.nip04_only:
                continue
            body = json.loads(self._decrypt(request.content, request.pubkey, nip44_asked))
            answer = await self._answer(body["method"], body.get("params") or {})
            await self._send(23195, request.pubkey, answer, [["e", request.id]], nip44_asked)

    async def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        uri = self.uri
        try:
            if method == "get_info":
                info = await self.wallet.get_info(uri)
                result: dict[str, Any] = {"alias": info.alias, "methods": list(info.methods)}
            elif method == "make_invoice":
                made = await self.wallet.make_invoice(
                    uri,
                    amount_msat=params["amount"],
                    description_hash=params["description_hash"],
                    expiry=params.get("expiry", 3600),
                )
                result = _transaction(made)
            elif method == "lookup_invoice":
                result = _transaction(await self.wallet.lookup_invoice(uri, params["payment_hash"]))
            else:
                return {"result_type": method, "error": {"code": "NOT_IMPLEMENTED", "message": method}}
        except WalletRefused as refused:
            return {"result_type": method, "error": {"code": refused.code, "message": str(refused)}}
        return {"result_type": method, "result": result}

    def _decrypt(self, content: str, author: str, use_nip44: bool) -> str:
        if use_nip44:
            return nip44.decrypt(content, nip44.conversation_key(self._key, author))
        return nip04.decrypt(content, nip04.shared_key(self._key, author))

    async def _send(
        self, kind: int, to: str, body: dict[str, Any], tags: list[list[str]], use_nip44: bool | None = None
    ) -> None:
        assert self._socket is not None
        use_nip44 = not self.nip04_only if use_nip44 is None else use_nip44
        text = json.dumps(body)
        if use_nip44:
            content = nip44.encrypt(text, nip44.conversation_key(self._key, to))
        else:
            content = nip04.encrypt(text, nip04.shared_key(self._key, to))
        event = sign_event(
            self._key, kind=kind, tags=[["p", to], *tags], content=content, created_at=int(time.time())
        )
        await self._socket.send(json.dumps(["EVENT", msgspec.to_builtins(event)]))


def _transaction(invoice: WalletInvoice) -> dict[str, Any]:
    return {
        "type": "incoming",
        "invoice": invoice.bolt11,
        "payment_hash": invoice.payment_hash,
        "amount": invoice.amount_msat,
        "settled_at": invoice.settled_at,
        "preimage": invoice.preimage,
        "expires_at": invoice.expires_at,
    }


@contextlib.contextmanager
def running_in_thread(service: NwcWalletService) -> Iterator[NwcWalletService]:
    """Runs the service on an event loop of its own, for tests whose loop blocks on the app."""
    ready, stop = threading.Event(), threading.Event()
    failure: list[BaseException] = []

    async def main() -> None:
        async with service.running():
            ready.set()
            await asyncio.to_thread(stop.wait)

    def run() -> None:
        try:
            asyncio.run(main())
        except BaseException as error:  # handed to the test below
            failure.append(error)
            ready.set()

    thread = threading.Thread(target=run, name="nwc-wallet-service", daemon=True)
    thread.start()
    ready.wait(30)
    if failure:
        raise failure[0]
    try:
        yield service
    finally:
        stop.set()
        thread.join(30)
