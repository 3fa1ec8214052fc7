"""The browser session: the API's own tokens, kept in HttpOnly cookies.

Signing in through a page opens the same session the API opens (a refresh-token family and a
short-lived access token, `SignedIn`); the page keeps the access token in SESSION_COOKIE and the
refresh token in REFRESH_COOKIE, both HttpOnly, `SameSite=Lax` and, outside development, Secure.
A page asks who is calling with the same `Authenticate` use case as the API's bearer tokens; an
expired access token is renewed once with the refresh token (`RefreshSession`), and the new pair
replaces the cookies on the way out.
"""

from typing import Any

from litestar import Request, Response
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.di import NamedDependency, Provide
from litestar.exceptions import HTTPException
from litestar.params import SkipValidation
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from adapters.http.client_ip import origin_of
from adapters.http.principal import request_url
from application.auth.authenticate import Authenticate, Credentials
from application.auth.own_sessions import RefreshSession
from application.auth.sessions import REFRESH_LIFETIME, SignedIn
from domain.auth.principal import Principal
from domain.shared.errors import Unauthorized

SESSION_COOKIE = "nid_session"
REFRESH_COOKIE = "nid_refresh"
RENEWED = "nostr_id.renewed_session"  # ASGI scope key: a pair issued while answering this request
SIGNED_IN_HOME = "/account"
SIGN_IN_PAGE = "/signin"


class SignInRequired(HTTPException):
    """A signed-in page asked without a session: the browser is sent to the sign-in page."""

    status_code = 303


# How long a note for the next page lives: the redirect is followed at once.
NOTE_LIFETIME_SECONDS = 120


class BrowserCookies:
    """Writes and clears the session cookies; `secure` outside development."""

    def __init__(self, *, secure: bool) -> None:
        self._secure = secure

    def _cookies(self, signed_in: SignedIn) -> list[Cookie]:
        lifetime = int(REFRESH_LIFETIME.total_seconds())
        return [
            Cookie(
                key=key,
                value=value,
                max_age=lifetime,
                path="/",
                secure=self._secure,
                httponly=True,
                samesite="lax",
            )
            for key, value in (
                (SESSION_COOKIE, signed_in.access_token),
                (REFRESH_COOKIE, signed_in.refresh_token),
            )
        ]

    def keep(self, response: Response[Any], signed_in: SignedIn) -> None:
        """Sets the session cookies of a sign-in on the response."""
        for cookie in self._cookies(signed_in):
            response.set_cookie(cookie)

    def note(self, response: Response[Any], key: str, value: str, *, path: str) -> None:
        """A short-lived note for the page a redirect leads to (an outcome to show once)."""
        response.set_cookie(
            Cookie(
                key=key,
                value=value,
                max_age=NOTE_LIFETIME_SECONDS,
                path=path,
                secure=self._secure,
                httponly=True,
                samesite="strict",
            )
        )

    def clear(self, response: Response[Any]) -> None:
        for key in (SESSION_COOKIE, REFRESH_COOKIE):
            response.delete_cookie(key=key, path="/")

    def renewing(self, app: ASGIApp) -> ASGIApp:
        """Middleware: a pair renewed while answering (RENEWED in the ASGI scope) replaces the
        cookies on the way out, whatever the page answered."""

        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            async def sending(message: Message) -> None:
                renewed = scope.get(RENEWED)
                if message["type"] == "http.response.start" and isinstance(renewed, SignedIn):
                    headers = MutableScopeHeaders.from_message(message)
                    for cookie in self._cookies(renewed):
                        headers.add("set-cookie", cookie.to_header(header=""))
                await send(message)

            await app(scope, receive, sending)

        return middleware


async def _bearer(
    request: Request[Any, Any, Any], authenticate: Authenticate, public_url: str, access_token: str
) -> Principal | None:
    return await authenticate(
        Credentials(
            method=request.method,
            url=request_url(request, public_url),
            authorization=f"Bearer {access_token}",
            origin=origin_of(request),
        )
    )


async def _browser_principal(
    request: Request[Any, Any, Any],
    authenticate: NamedDependency[SkipValidation[Authenticate]],
    refresh_session: NamedDependency[SkipValidation[RefreshSession]],
    public_url: NamedDependency[str],
) -> Principal | None:
    access_token = request.cookies.get(SESSION_COOKIE)
    if not access_token:
        return None
    try:
        return await _bearer(request, authenticate, public_url, access_token)
    except Unauthorized:
        refresh_token = request.cookies.get(REFRESH_COOKIE)
        if not refresh_token:
            return None
    try:
        renewed = await refresh_session(refresh_token, origin_of(request))
    except Unauthorized:
        return None
    request.scope[RENEWED] = renewed
    return await _bearer(request, authenticate, public_url, renewed.access_token)


async def _unrenewed_principal(
    request: Request[Any, Any, Any],
    authenticate: NamedDependency[SkipValidation[Authenticate]],
    public_url: NamedDependency[str],
) -> Principal | None:
    """Who is signed in while the access token lasts, never renewing it: for a page's background
    requests, so that they never race a navigation to the one-use refresh token."""
    access_token = request.cookies.get(SESSION_COOKIE)
    if not access_token:
        return None
    try:
        return await _bearer(request, authenticate, public_url, access_token)
    except Unauthorized:
        return None


async def _web_principal(browser_principal: NamedDependency[Principal | None]) -> Principal:
    if browser_principal is None:
        raise SignInRequired(headers={"Location": SIGN_IN_PAGE})
    return browser_principal


# `browser_principal`: who is signed in, or None; `web_principal`: the guard of a signed-in page;
# `unrenewed_principal`: who is signed in, for a script's background request.
BROWSER_DEPENDENCIES = {
    "browser_principal": Provide(_browser_principal),
    "unrenewed_principal": Provide(_unrenewed_principal),
    "web_principal": Provide(_web_principal),
}
