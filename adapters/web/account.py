"""The signed-in pages: the account and signing out."""

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import SkipValidation
from litestar.response import Redirect, Template

from adapters.http.client_ip import origin_of
from adapters.web.pages import page
from adapters.web.session import BrowserCookies
from application.auth.own_sessions import SignOut
from domain.auth.principal import Principal
from domain.nostr.nip19 import encode_npub


class AccountPages(Controller):
    path = "/"

    @get("/account")
    async def account(
        self, request: Request[Any, Any, Any], web_principal: NamedDependency[Principal]
    ) -> Template:
        return page(
            request,
            "account.html",
            title="Your account",
            principal=web_principal,
            npub=encode_npub(web_principal.pubkey),
        )

    @post("/signout", status_code=303)
    async def sign_out(
        self,
        request: Request[Any, Any, Any],
        browser_principal: NamedDependency[Principal | None],
        sign_out: NamedDependency[SkipValidation[SignOut]],
        browser_cookies: NamedDependency[SkipValidation[BrowserCookies]],
    ) -> Redirect:
        if browser_principal is not None:
            await sign_out(browser_principal, origin_of(request))
        response = Redirect("/", status_code=303)
        browser_cookies.clear(response)
        return response
