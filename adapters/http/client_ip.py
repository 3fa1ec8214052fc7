"""The client's IP address: the peer of the connection (forwarded headers are not trusted)."""

import ipaddress
from typing import Any

from litestar import Request

from application.auth.session_admin import Origin


def client_ip(request: Request[Any, Any, Any]) -> str | None:
    """The peer's address, or None when the server did not give one that is an IP address."""
    host = request.client.host if request.client else None
    if not host:
        return None
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def origin_of(request: Request[Any, Any, Any]) -> Origin:
    """Where a request came from, for the audit log."""
    return Origin(ip=client_ip(request), user_agent=request.headers.get("user-agent"))
