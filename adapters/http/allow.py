"""`Allow` on an OPTIONS answer names every method of the path, whichever handlers serve them.

Litestar builds a path's OPTIONS answer when the path's first handler is registered; the methods of
handlers registered on the same path later (a controller's GET beside its POST) are missing from it.
The router's 405 answers name them all already.
"""

from collections.abc import Iterable

from litestar.routes import BaseRoute, HTTPRoute
from litestar.types import ASGIApp, Message, Receive, Scope, Send


def allow_every_method(app: ASGIApp, routes: Iterable[BaseRoute]) -> ASGIApp:
    allowed = {
        route.path_format: ", ".join(sorted(route.methods)).encode()
        for route in routes
        if isinstance(route, HTTPRoute)
    }

    async def answer(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "OPTIONS":
            await app(scope, receive, send)
            return

        async def send_allow(message: Message) -> None:
            methods = allowed.get(scope.get("path_template", ""))
            if message["type"] == "http.response.start" and methods is not None:
                headers = list(message.get("headers", ()))
                if any(key.lower() == b"allow" for key, _ in headers):
                    headers = [(key, value) for key, value in headers if key.lower() != b"allow"]
                    message = {**message, "headers": [*headers, (b"allow", methods)]}  # type: ignore[typeddict-item]
            await send(message)

        await app(scope, receive, send_allow)

    return answer
