"""Relays named by outsiders (a wallet's relay, a zap request's relays) must not lead inside our network."""

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from domain.shared.errors import InvalidInput


async def refuse_private(url: str) -> None:
    """Raises InvalidInput when the relay's host is, or resolves to, a private or loopback address.

    A host that does not resolve is let through: connecting to it fails on its own.
    """
    host = urlsplit(url).hostname or ""
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except OSError:
            return
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    if any(not address.is_global for address in addresses):
        raise InvalidInput(f"relay {host} is on a private or loopback address", {"relay": "not public"})
