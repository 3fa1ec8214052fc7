"""Lightning addresses (LUD-16) and zaps (NIP-57): the owner's wallet connection, the payRequest, the
callback and LUD-21 verify.

The LNURL answers speak LUD's own error shape, `{"status": "ERROR", "reason": ...}`, with the HTTP
status that fits, and carry `Access-Control-Allow-Origin: *` whatever the outcome; nothing redirects.
"""

from datetime import datetime
from http import HTTPStatus
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, put
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter, SkipValidation

from adapters.http.fields import NwcUrlText
from adapters.http.principal import SIGNED_IN_PROBLEMS
from adapters.http.responses import JSON_BODY, problem_responses
from application.zaps.pay import DescribeAddress, RequestInvoice, TooManyRequests, VerifyInvoice
from application.zaps.wallets import ConnectWallet, DisconnectWallet, ShowWallet, WalletView
from domain.auth.principal import Principal
from domain.shared.errors import DependencyUnavailable, DomainError, InvalidInput, NotFound
from domain.zaps.pay_request import LudError, PayRequest

CORS = {"Access-Control-Allow-Origin": "*", "Cache-Control": "no-store"}


def lud_errors(*statuses: int) -> dict[str, Any]:
    """Keyword arguments for a route decorator: the LUD error answers the route can give."""
    return {
        "responses": {
            status: ResponseSpec(
                data_container=LudError, description=HTTPStatus(status).phrase, generate_examples=False
            )
            for status in statuses
        }
    }


class ConnectWalletRequest(msgspec.Struct, forbid_unknown_fields=True):
    nwc_url: NwcUrlText


class WalletResponse(msgspec.Struct):
    alias: str
    relay: str
    methods: list[str]
    connected_at: datetime

    @classmethod
    def of(cls, view: WalletView) -> "WalletResponse":
        return cls(
            alias=view.alias, relay=view.relay, methods=list(view.methods), connected_at=view.connected_at
        )


class InvoiceResponse(msgspec.Struct):
    pr: str
    routes: list[str]
    verify: str


class VerifyResponse(msgspec.Struct):
    status: str
    settled: bool
    preimage: str | None
    pr: str


def _lud_error(error: DomainError) -> Response[Any]:
    if isinstance(error, NotFound):
        status = 404
    elif isinstance(error, TooManyRequests):
        status = 429
    elif isinstance(error, InvalidInput):
        status = 400
    elif isinstance(error, DependencyUnavailable):
        status = 503
    else:
        status = 502
    return Response(LudError(reason=str(error)), status_code=status, headers=CORS)


class WalletConnectionController(Controller):
    path = "/api/v1/wallet"
    tags = ["lightning address"]

    @put("/", **problem_responses(*SIGNED_IN_PROBLEMS, *JSON_BODY, 502, 503))
    async def connect(
        self,
        data: JSONBody[ConnectWalletRequest],
        principal: NamedDependency[Principal],
        connect_wallet: NamedDependency[SkipValidation[ConnectWallet]],
    ) -> WalletResponse:
        """Connects the owner's own wallet with a Nostr Wallet Connect string, checked at once with
        `get_info` (it must allow `make_invoice` and `lookup_invoice`). The secret is kept encrypted
        and never returned."""
        return WalletResponse.of(await connect_wallet(principal.user_id, data.nwc_url))

    @get("/", **problem_responses(*SIGNED_IN_PROBLEMS, 404))
    async def show(
        self, principal: NamedDependency[Principal], show_wallet: NamedDependency[SkipValidation[ShowWallet]]
    ) -> WalletResponse:
        """The connected wallet's alias, relay and methods."""
        return WalletResponse.of(await show_wallet(principal.user_id))

    @delete("/", status_code=204, **problem_responses(*SIGNED_IN_PROBLEMS))
    async def disconnect(
        self,
        principal: NamedDependency[Principal],
        disconnect_wallet: NamedDependency[SkipValidation[DisconnectWallet]],
    ) -> None:
        """Forgets the connected wallet and its secret."""
        await disconnect_wallet(principal.user_id)


class LightningAddressController(Controller):
    tags = ["lightning address"]

    @get("/.well-known/lnurlp/{name:str}", **lud_errors(404, 503))
    async def pay_request(
        self,
        request: Request[Any, Any, Any],
        name: FromPath[str],
        describe_address: NamedDependency[SkipValidation[DescribeAddress]],
    ) -> Response[PayRequest]:
        """LUD-16: the payRequest of `name@<Host>` (LUD-06, with NIP-57's `allowsNostr` and
        `nostrPubkey`), or a LUD error (404) when the name is unknown there, suspended, or has no wallet."""
        try:
            answer = await describe_address(request.headers.get("host", ""), name)
        except DomainError as error:
            return _lud_error(error)
        return Response(answer, headers=CORS)

    @get(
        "/api/v1/lnurlp/{domain:str}/{name:str}/callback",
        responses={**lud_errors(400, 404, 429, 502, 503)["responses"], **problem_responses(422)["responses"]},
    )
    async def callback(
        self,
        domain: FromPath[str],
        name: FromPath[str],
        amount: Annotated[int, QueryParameter(description="millisatoshi")],
        request_invoice: NamedDependency[SkipValidation[RequestInvoice]],
        nostr: Annotated[str | None, QueryParameter(description="a NIP-57 zap request (kind 9734)")] = None,
        comment: Annotated[str, QueryParameter(description="LUD-12 comment")] = "",
    ) -> Response[InvoiceResponse]:
        """The LUD-06 callback: `amount` (msat), `nostr` (a NIP-57 zap request), `comment` (LUD-12)
        → `{pr, routes, verify}` made by the owner's own wallet, or a LUD error."""
        try:
            answer = await request_invoice(domain, name, amount_msat=amount, nostr=nostr, comment=comment)
        except DomainError as error:
            return _lud_error(error)
        return Response(
            InvoiceResponse(pr=answer.invoice.bolt11, routes=[], verify=answer.verify), headers=CORS
        )

    @get("/api/v1/lnurlp/{domain:str}/{name:str}/verify/{payment_hash:str}", **lud_errors(404, 502, 503))
    async def verify(
        self,
        domain: FromPath[str],
        name: FromPath[str],
        payment_hash: FromPath[str],
        verify_invoice: NamedDependency[SkipValidation[VerifyInvoice]],
    ) -> Response[VerifyResponse]:
        """LUD-21: whether the invoice is paid, and its preimage once it is."""
        try:
            answer = await verify_invoice(domain, name, payment_hash)
        except DomainError as error:
            return _lud_error(error)
        return Response(
            VerifyResponse(status="OK", settled=answer.settled, preimage=answer.preimage, pr=answer.pr),
            headers=CORS,
        )
