"""What every page carries and every state-changing request proves.

Security headers: a strict Content-Security-Policy (scripts only from this origin, no inline code,
no framing), nosniff and a same-origin referrer. CSRF: Litestar's double-submit token (a cookie the
page's script cannot read, repeated in the form's `_csrf_token` field or the `X-CSRF-Token` header)
and, in front of it, the request's `Origin` (or `Sec-Fetch-Site`) must be this service's own.
"""

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "nid_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def origin_of_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def content_security_policy(connect_to: Iterable[str] = ()) -> str:
    """Scripts, styles, images and fetches from this origin only; `connect_to` adds the websocket
    relays a page's script may talk to (the NIP-46 relays)."""
    connect = " ".join(["'self'", *connect_to])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self'",
            f"connect-src {connect}",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def security_headers(policy: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-security-policy", policy.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", b"DENY"),
        (b"cache-control", b"no-store"),
    ]


# The JSON API, its docs page (Redoc runs an inline script) and the probes answer as they did.
NOT_PAGES = ("/api/", "/schema", "/.well-known/", "/health/", "/metrics")


def with_security_headers(app: ASGIApp, policy: str) -> ASGIApp:
    """Wraps the app: every page answer (errors, redirects and static files too) carries the security
    headers; the paths of NOT_PAGES are left as they are."""
    headers = security_headers(policy)

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(NOT_PAGES):
            await app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                mutable = MutableScopeHeaders.from_message(message)
                for name, value in headers:
                    mutable[name.decode()] = value.decode()
            await send(message)

        await app(scope, receive, sending)

    return middleware


def csrf_config(secret: str, *, secure: bool) -> CSRFConfig:
    return CSRFConfig(
        secret=secret,
        cookie_name=CSRF_COOKIE,
        cookie_secure=secure,
        cookie_httponly=True,
        cookie_samesite="lax",
        header_name=CSRF_HEADER,
    )


def same_origin_guard(public_url: str) -> Any:
    """A guard refusing a state-changing request sent from another origin (403)."""
    own = origin_of_url(public_url)

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if connection.scope.get("method", "GET") in SAFE_METHODS:
            return
        origin = connection.headers.get("origin")
        if origin is not None and origin.lower() != own:
            raise PermissionDeniedException("this request comes from another origin")
        if origin is None and connection.headers.get("sec-fetch-site", "same-origin") not in (
            "same-origin",
            "none",
        ):
            raise PermissionDeniedException("this request comes from another site")

    return guard
