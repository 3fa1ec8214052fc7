"""Requests sent at once to an app started by Litestar's test client, which itself sends one request
at a time: an httpx client over the ASGI transport, run on the app's event loop."""

import asyncio
from typing import Any

import httpx


async def send_at_once(
    api: Any,
    base_url: str,
    requests: list[tuple[str, str, dict[str, Any]]],
    peer: tuple[str, int] = ("127.0.0.1", 40000),
) -> list[httpx.Response]:
    """Sends every (method, url, options) request concurrently from the peer address; answers in
    the same order."""

    async def burst() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=api.client.app, client=peer)
        async with httpx.AsyncClient(transport=transport, base_url=base_url, timeout=60) as http:
            return list(await asyncio.gather(*(http.request(m, u, **o) for m, u, o in requests)))

    return await api.run(burst)
