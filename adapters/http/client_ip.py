"""The client's address: the one place that reads it, for rate limits, sessions and audit entries.

It is the peer of the connection, unless that peer is a trusted proxy (`TRUSTED_PROXIES`): then
it is the right-most address of `X-Forwarded-For` (or, when the request has none, of the `for=`
parameters of `Forwarded`) that is not itself a trusted proxy. Addresses left of it were written
by whoever sent the request and are never believed. `resolving_client` puts that address in the
ASGI scope's `client` once, in front of the HTTP edge, so the access log, the rate limiter and
the handlers all see the same one; `origin_of` (the request's origin for sessions and audit
entries, built here only) and `rate_subject` read it from there.
"""

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any

from litestar import Request
from litestar.types import ASGIApp, Receive, Scope, Send

from domain.audit.entries import RequestOrigin

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# IPv6 clients are charged per /64: one subscriber usually holds a whole /64.
IPV6_BUCKET_PREFIX = 64
UNKNOWN_CLIENT = "unknown"


def parse_address(text: str | None) -> Address | None:
    """An address as a peer or a forwarding header gives it (`192.0.2.1`, `192.0.2.1:80`,
    `[2001:db8::1]:80`, `2001:db8::1`), IPv4-mapped IPv6 as IPv4; None for anything else."""
    if not text:
        return None
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _header_values(scope: Scope, name: bytes) -> list[str]:
    return [bytes(value).decode("latin-1") for key, value in scope.get("headers", []) if key.lower() == name]


def _forwarded_for(scope: Scope) -> list[str]:
    """The forwarded-for chain, client first: X-Forwarded-For, else Forwarded's `for=` values."""
    chain = ",".join(_header_values(scope, b"x-forwarded-for"))
    if chain.strip():
        return [part.strip() for part in chain.split(",")]
    hops = []
    for element in ",".join(_header_values(scope, b"forwarded")).split(","):
        for pair in element.split(";"):
            key, _, value = pair.strip().partition("=")
            if key.strip().lower() == "for":
                hops.append(value)
    return hops


class TrustedProxies:
    """The proxies whose forwarding headers are believed."""

    def __init__(self, networks: Iterable[Network]) -> None:
        self._networks = tuple(networks)

    def __contains__(self, address: Address) -> bool:
        return any(address in network for network in self._networks)

    def client_of(self, peer: Address | None, chain: Sequence[str]) -> Address | None:
        """The right-most address of the chain that is not a trusted proxy, walking in from the peer."""
        if peer is None or peer not in self:
            return peer
        client = peer
        for hop in reversed(chain):
            address = parse_address(hop)
            if address is None:
                # A trusted proxy forwarded something that is no address: the last address known stands.
                return client
            client = address
            if address not in self:
                return client
        return client


def resolving_client(app: ASGIApp, proxies: TrustedProxies) -> ASGIApp:
    """Wraps the app so that each request's scope carries the client's address as its `client`."""

    async def resolved(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            peer = scope.get("client")
            address = proxies.client_of(parse_address(peer[0] if peer else None), _forwarded_for(scope))
            if address is not None:
                scope = {**scope, "client": (str(address), peer[1] if peer else 0)}  # type: ignore[typeddict-item]
        await app(scope, receive, send)

    return resolved


def client_address(scope: Scope) -> Address | None:
    """The client's address as resolved for this request, or None when it is not an IP address."""
    client = scope.get("client")
    return parse_address(client[0] if client else None)


def rate_subject(scope: Scope) -> str:
    """What per-client rate limits charge: the address, or its /64 for IPv6."""
    address = client_address(scope)
    if address is None:
        return UNKNOWN_CLIENT
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, IPV6_BUCKET_PREFIX), strict=False))
    return str(address)


def origin_of(request: Request[Any, Any, Any]) -> RequestOrigin:
    """Where a request came from (the client's address as text, its user agent), for its session
    and audit entries: the one place a RequestOrigin is built from a request."""
    address = client_address(request.scope)
    return RequestOrigin(
        ip=str(address) if address is not None else None, user_agent=request.headers.get("user-agent")
    )
