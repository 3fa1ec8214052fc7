"""Reading a raw ASGI request, for the paths that run outside Litestar's router."""

from litestar.types import Scope


def header(scope: Scope, name: bytes) -> bytes | None:
    """The first value of the request header `name` (given in lowercase), or None."""
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value)
    return None
