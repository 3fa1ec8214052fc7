"""Signing in from a browser: the API's sign-in use cases, the session kept in cookies.

A browser extension (NIP-07) or a remote signer (NIP-46) signs the kind-22242 challenge, which the
page sends to POST /signin/nostr; a Lightning wallet signs the LNURL-auth k1 shown as a QR code,
which the page polls for with POST /signin/lnurl. Either way the answer sets the session cookies
and names the page to go to.
"""

import secrets
from typing import Annotated, Any
from urllib.parse import urlencode

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, SkipValidation
from litestar.response import Redirect, Template

from adapters.http.auth import SignedEvent
from adapters.http.client_ip import origin_of
from adapters.web.pages import page
from adapters.web.qr import qr_svg
from adapters.web.session import SIGNED_IN_HOME, BrowserCookies
from application.auth.lnurl import PollLnurlAuth, StartLnurlAuth
from application.auth.sign_in import IssueChallenge, Login, SignInRequest
from domain.auth.lnurl import LnurlAction
from domain.auth.principal import Principal
from domain.nostr.signing import generate_secret_key, public_key_of

SIGNER_APP_NAME = "nostr-id"
# Charged under the sign-in rate limit, as the API's sign-in endpoints are: the page (it starts an
# LNURL-auth), the challenge and the login. The LNURL poll is an ordinary read.
SIGN_IN_PAGES = frozenset({"/signin", "/signin/challenge", "/signin/nostr"})


def nostrconnect_uri(client_pubkey: str, relays: tuple[str, ...], secret: str) -> str:
    """The NIP-46 connection a signer app scans: our one-time client key, the relays, a secret the
    signer echoes back, and the one permission asked (signing the sign-in event)."""
    query = urlencode(
        [("relay", relay) for relay in relays]
        + [("secret", secret), ("perms", "sign_event:22242"), ("name", SIGNER_APP_NAME)]
    )
    return f"nostrconnect://{client_pubkey}?{query}"


class Challenge(msgspec.Struct):
    challenge: str
    relay: str  # the value of the event's `relay` tag: this service's public URL


class NostrSignIn(msgspec.Struct, forbid_unknown_fields=True):
    event: SignedEvent


class LnurlPoll(msgspec.Struct, forbid_unknown_fields=True):
    poll: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]


class SignInOutcome(msgspec.Struct, omit_defaults=True):
    status: str
    location: str | None = None


class SignInPages(Controller):
    path = "/signin"

    @get("/")
    async def sign_in(
        self,
        request: Request[Any, Any, Any],
        browser_principal: NamedDependency[Principal | None],
        start_lnurl_auth: NamedDependency[SkipValidation[StartLnurlAuth]],
        nip46_relays: NamedDependency[tuple[str, ...]],
    ) -> Template | Redirect:
        if browser_principal is not None:
            return Redirect(SIGNED_IN_HOME, status_code=303)
        lnurl = await start_lnurl_auth(LnurlAction.LOGIN, None)
        client_secret = generate_secret_key()
        nip46_uri = ""
        if nip46_relays:
            nip46_uri = nostrconnect_uri(public_key_of(client_secret), nip46_relays, secrets.token_hex(8))
        return page(
            request,
            "signin.html",
            title="Sign in",
            principal=browser_principal,
            lnurl=lnurl.lnurl,
            lnurl_qr=qr_svg(lnurl.lnurl.upper()),
            lnurl_poll=lnurl.poll_secret,
            nip46_relays=nip46_relays,
            nip46_uri=nip46_uri,
            nip46_qr=qr_svg(nip46_uri) if nip46_uri else "",
            nip46_client_secret=client_secret,
            moved=request.query_params.get("moved") == "1",
        )

    @post("/challenge", status_code=201)
    async def challenge(
        self,
        issue_challenge: NamedDependency[SkipValidation[IssueChallenge]],
        public_url: NamedDependency[str],
    ) -> Challenge:
        issued = await issue_challenge()
        return Challenge(challenge=issued.challenge, relay=public_url)

    @post("/nostr", status_code=200)
    async def nostr(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[NostrSignIn],
        login: NamedDependency[SkipValidation[Login]],
        browser_cookies: NamedDependency[SkipValidation[BrowserCookies]],
    ) -> Response[SignInOutcome]:
        signed_in = await login(SignInRequest(event=data.event.to_event(), origin=origin_of(request)))
        response = Response(SignInOutcome(status="ok", location=SIGNED_IN_HOME))
        browser_cookies.keep(response, signed_in)
        return response

    @post("/lnurl", status_code=200)
    async def lnurl(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[LnurlPoll],
        poll_lnurl_auth: NamedDependency[SkipValidation[PollLnurlAuth]],
        browser_cookies: NamedDependency[SkipValidation[BrowserCookies]],
    ) -> Response[SignInOutcome]:
        outcome = await poll_lnurl_auth(data.poll, claim=True, origin=origin_of(request))
        if outcome.tokens is None:
            return Response(SignInOutcome(status=outcome.status.value))
        response = Response(SignInOutcome(status="ok", location=SIGNED_IN_HOME))
        browser_cookies.keep(response, outcome.tokens)
        return response
