"""LNURL-auth (LUD-04): start, the wallet's callback, and the browser's poll."""

from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, SkipValidation

from adapters.http.auth import TokenResponse
from adapters.http.client_ip import origin_of
from adapters.http.edge import SECRET_PATH, answering_head
from adapters.http.responses import JSON_BODY, problem_responses
from application.auth.lnurl import PollLnurlAuth, RedeemLnurlAuth, StartLnurlAuth
from domain.auth.lnurl import LnurlAction
from domain.auth.lnurl_protocol import LnurlRefused
from domain.auth.principal import Principal


class StartLnurlRequest(msgspec.Struct, forbid_unknown_fields=True):
    action: LnurlAction


class LnurlStartResponse(msgspec.Struct):
    k1: str
    lnurl: str
    callback_url: str
    poll: str  # the poll secret: this browser's alone, never in the LNURL
    expires_at: datetime


class LnurlCallbackResponse(msgspec.Struct, omit_defaults=True):
    status: str
    reason: str | None = None


class LnurlPollResponse(msgspec.Struct, omit_defaults=True):
    status: str
    tokens: TokenResponse | None = None


class LnurlController(Controller):
    path = "/api/v1/auth/lnurl"
    tags = ["auth"]

    @post("/", status_code=201, **problem_responses(*JSON_BODY, 401, 403, 429, 503))
    async def start(
        self,
        data: JSONBody[StartLnurlRequest],
        maybe_principal: NamedDependency[Principal | None],
        start_lnurl_auth: NamedDependency[SkipValidation[StartLnurlAuth]],
    ) -> LnurlStartResponse:
        """A k1 for a wallet to sign: `login` signs in the account linked to a wallet; `link` links
        the wallet to the current account and must be signed with NIP-98 (a fresh proof of the
        account's key; 403 with a session's token). Show `lnurl` as a QR code; poll with `poll`,
        a secret kept by this client alone."""
        started = await start_lnurl_auth(data.action, maybe_principal)
        return LnurlStartResponse(
            k1=started.session.k1,
            lnurl=started.lnurl,
            callback_url=started.callback_url,
            poll=started.poll_secret,
            expires_at=started.session.expires_at,
        )

    @get("/callback", **problem_responses(429, 503))
    async def callback(
        self,
        request: Request[Any, Any, Any],
        redeem_lnurl_auth: NamedDependency[SkipValidation[RedeemLnurlAuth]],
    ) -> LnurlCallbackResponse:
        """LUD-04 callback called by the wallet with `tag=login`, `k1`, `sig` (DER) and `key`."""
        query = request.query_params
        try:
            await redeem_lnurl_auth(
                tag=query.get("tag"),
                k1=query.get("k1"),
                sig=query.get("sig"),
                key=query.get("key"),
                origin=origin_of(request),
            )
        except LnurlRefused as refused:
            return LnurlCallbackResponse(status="ERROR", reason=refused.reason)
        return LnurlCallbackResponse(status="OK")

    @get("/{poll:str}", opt=SECRET_PATH, **problem_responses(404, 429, 503))
    async def poll(
        self,
        request: Request[Any, Any, Any],
        poll: FromPath[str],
        poll_lnurl_auth: NamedDependency[SkipValidation[PollLnurlAuth]],
    ) -> LnurlPollResponse:
        """`pending`, `ok` or `expired`, asked with the start answer's `poll` secret (not the k1); a
        login's tokens come with the first `ok` to a GET only (a HEAD claims nothing)."""
        outcome = await poll_lnurl_auth(
            poll,
            claim=not answering_head(),
            origin=origin_of(request),
        )
        if outcome.tokens is None:
            return LnurlPollResponse(status=outcome.status.value)
        return LnurlPollResponse(status=outcome.status.value, tokens=TokenResponse.of(outcome.tokens))
